package io.xdpmesh.dataplane.engine;

import io.xdpmesh.dataplane.cluster.ClusterConfig;
import io.xdpmesh.dataplane.cluster.NodeSpec;
import io.xdpmesh.dataplane.cluster.WorkloadSpec;
import io.xdpmesh.dataplane.counters.CountersFile;
import io.xdpmesh.dataplane.counters.DropCounters;
import io.xdpmesh.dataplane.counters.JvmCounters;
import io.xdpmesh.dataplane.counters.KernelCounters;
import io.xdpmesh.dataplane.counters.StatCounters;
import io.xdpmesh.dataplane.flow.FlowTable;
import io.xdpmesh.dataplane.neighbour.NeighbourResolver;
import io.xdpmesh.dataplane.parse.FrameParser;
import io.xdpmesh.dataplane.session.AuthRequests;
import io.xdpmesh.dataplane.session.DataplaneCommands;
import io.xdpmesh.dataplane.sys.LinkInfo;
import io.xdpmesh.xdp.bpf.XdpAttachment;
import io.xdpmesh.xdp.bpf.XdpConfig;
import io.xdpmesh.xdp.bpf.XdpLoader;
import io.xdpmesh.xdp.bpf.XdpRole;
import io.xdpmesh.xdp.sys.NetNs;
import io.xdpmesh.xdp.sys.PollSet;
import io.xdpmesh.xdp.xsk.Umem;
import io.xdpmesh.xdp.xsk.UmemConfig;
import io.xdpmesh.xdp.xsk.XskConfig;
import io.xdpmesh.xdp.xsk.XskSocket;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Queue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.agrona.concurrent.AgentRunner;

/**
 * One dataplane thread with everything it owns: the XDP programs on the node's uplink and pod
 * interfaces, one UMEM shared by an XSK per interface (queue 0), the neighbour resolver, the
 * counters and flow files, and the command/request queues the agent (control/) talks through.
 * Several can run side by side (each with its own UMEM and sockets), e.g. one per node namespace
 * in a test, or one per disjoint set of interfaces.
 */
public final class Dataplane implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Dataplane.class.getName());
    /** How long {@link #updateCluster} waits for the dataplane thread to adopt or release ports. */
    private static final long HANDOVER_WAIT_MS = 3_000;

    private final DataplaneConfig cfg;
    /** What the dataplane threads serve, by interface name (set-up side; guarded by this). */
    private final Map<String, PortHandle> ports = new LinkedHashMap<>();
    /** Removed interfaces whose frames the dataplane threads are still taking back. */
    private final List<PortHandle> retiring = new ArrayList<>();
    /** The dataplane threads (thread t serves queue q of each interface where q mod threads == t). */
    private final DataplaneThread[] lanes;
    private final DataplaneCommands commands;
    private final io.xdpmesh.dataplane.session.HandshakeActivity handshakes = new io.xdpmesh.dataplane.session.HandshakeActivity();
    /** Local workload interfaces that could not be served: their program stays attached (fail closed). */
    private final Map<String, XdpAttachment> unserved = new LinkedHashMap<>();
    private final BitSet slots = new BitSet(DataplaneAgent.MAX_PORTS);
    private PortHandle uplinkHandle;
    private XdpLoader loader;
    private boolean scatterGather;
    private NeighbourResolver neighbours;
    private CountersFile counters;
    private FlowTable flows;
    private KernelCounters kernel;
    private JvmCounters jvm;
    private ScheduledExecutorService maintenance;
    /** Every thread writes its requests here (a many-to-one ring); the agent is the one reader. */
    private final AuthRequests requests = new AuthRequests(1 << 16);
    private volatile Throwable lastError;
    private long errors;
    private int uplinkMtu;
    private boolean closed;

    /**
     * One served interface: its program, and per queue a port (slot, socket) of the thread that
     * serves that queue ({@code queues[q]} belongs to thread q mod threads).
     */
    private record PortHandle(String ifname, XdpAttachment attachment, Port[] queues, int ifindex) {
        Port first() {
            return queues[0];
        }
    }

    private Dataplane(DataplaneConfig cfg) {
        this.cfg = cfg;
        lanes = new DataplaneThread[cfg.threads];
        DataplaneCommands[] q = new DataplaneCommands[lanes.length];
        for (int t = 0; t < lanes.length; t++) {
            lanes[t] = new DataplaneThread(t);
            q[t] = lanes[t].commands;
        }
        // one thread: its own queue, exactly as before; several: every command goes to each
        commands = lanes.length == 1 ? lanes[0].commands : new DataplaneCommands(q);
    }

    /** Sets up and starts the thread. Throws (and undoes what it did) when anything is missing. */
    public static Dataplane start(DataplaneConfig cfg, ClusterConfig cluster) throws IOException {
        Dataplane d = new Dataplane(cfg);
        try {
            d.setUp(cluster);
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    private synchronized void setUp(ClusterConfig cluster) throws IOException {
        NodeSpec self = cluster.node(cfg.node)
                .orElseThrow(() -> new IllegalArgumentException("node '" + cfg.node + "' is not in the cluster file"));
        List<String> podIfs = podInterfaces(cluster);
        ClusterState[] state = new ClusterState[lanes.length];
        NetNs ns = cfg.netns == null ? null : enter(cfg.netns);
        try {
            uplinkMtu = LinkInfo.mtu(self.uplink());
            int uplinkQueues = LinkInfo.queues(self.uplink());
            if (uplinkQueues < lanes.length) {
                throw new IOException("uplink " + self.uplink() + " has " + uplinkQueues + " queue(s); " + lanes.length
                        + " dataplane threads need at least as many (ethtool -L, or veth numrxqueues/numtxqueues)");
            }
            loader = XdpLoader.forAgent(cfg.bpffs, cfg.agentName);
            // a thread serving several queues of an interface has a fill ring on each
            int perThread = (uplinkQueues + lanes.length - 1) / lanes.length;
            int frames = Math.max(cfg.umemFrames, (cfg.uplinkFill + Math.max(podIfs.size(), cfg.podSlots) * cfg.podFill)
                    * perThread + cfg.pendingGlobal + 1024);
            for (DataplaneThread l : lanes) {
                l.umem = Umem.create(UmemConfig.defaults().withFrameCount(frames));
            }
            // Interfaces with an MTU larger than a UMEM frame holds hand over descriptor chains (pods
            // in large-frame mode, a jumbo uplink): each UMEM's first socket (the uplink's) decides
            // XDP_USE_SG for every socket on it.
            scatterGather = cfg.scatterGather || needsScatterGather(self.uplink());
            for (String ifname : podIfs) {
                scatterGather |= needsScatterGather(ifname);
            }
            // The uplink first: it holds the UMEMs' registration fds, and it never goes away at runtime.
            uplinkHandle = open(self.uplink(), true);
            uplinkHandle.attachment().configure(new XdpConfig(cluster.tunnelPort(), false));
            for (String ifname : podIfs) {
                ports.put(ifname, open(ifname, false));
            }
            for (int t = 0; t < lanes.length; t++) {
                state[t] = ClusterState.build(cluster, cfg.node, portMap(t), uplinkMtu, 1);
            }
            neighbours = new NeighbourResolver(LinkInfo.ifindex(self.uplink()), state[0].peers, cfg.node);
            if (!neighbours.resolveAll(cfg.neighbourWait.toMillis())) {
                // not fatal: the resolver keeps trying and frames are counted as NEIGHBOUR_UNRESOLVED
                lastError = new IOException("some peer nodes' MACs are not resolved yet");
            }
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
        Files.createDirectories(cfg.stateDir);
        counters = CountersFile.create(cfg.stateDir.resolve(StateFiles.COUNTERS), 1024 * lanes.length);
        kernel = new KernelCounters(counters.manager());
        jvm = new JvmCounters(counters.manager());
        // one region per thread, each its own single writer; readers merge them
        flows = FlowTable.create(cfg.stateDir.resolve(StateFiles.FLOWS), cfg.flowTableSlots, lanes.length);
        for (DataplaneThread l : lanes) {
            l.drops = new DropCounters(counters.manager());
            l.stats = new StatCounters(counters.manager(), new String[0], DataplaneAgent.MAX_PORTS);
            List<Port> mine = portsOf(l.index);
            for (Port p : mine) {
                l.stats.name(p.index, p.ifname);
            }
            Port up = uplinkHandle.queues()[l.index];
            l.agent = new DataplaneAgent(cfg.node, l.umem, mine.toArray(Port[]::new), up, state[l.index], cfg, l.commands,
                    requests, l.drops, l.stats, flows.region(l.index), neighbours, portMap(l.index), uplinkMtu,
                    l.portChanges, l.index);
        }
        // Sockets are live (fill rings primed) before the programs redirect to them: register last.
        for (PortHandle h : allHandles()) {
            register(h);
        }
        neighbours.start();
        for (DataplaneThread l : lanes) {
            // Every mode gets the wait set: backoff sleeps in it, busy-spin and yield while frames are
            // held or handshakes run. Ports added at runtime join the set (and leave it) on the
            // dataplane thread; a queued command signals it.
            List<Port> mine = portsOf(l.index);
            int[] fds = new int[mine.size()];
            for (int i = 0; i < fds.length; i++) {
                fds[i] = mine.get(i).socket.fd();
            }
            l.wait = new PollSet(fds, DataplaneAgent.MAX_PORTS);
            l.agent.idleWait(l.wait);
            DataplaneAgent agent = l.agent;
            l.runner = new AgentRunner(cfg.idle.strategy(l.wait, () -> agent.pendingFrames() + handshakes.active()), t -> {
                errors++;
                lastError = t;
            }, null, l.agent);
            AgentRunner.startOnThread(l.runner);
            l.commands.wakeup(l.wait::signal);
        }
        maintenance = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("xdpmesh-ports-" + cfg.node).factory());
        maintenance.scheduleWithFixedDelay(this::maintain, 500, 500, TimeUnit.MILLISECONDS);
    }

    /** Thread t's ports, pod interfaces first, then the uplink's queues. */
    private List<Port> portsOf(int t) {
        List<Port> l = new ArrayList<>();
        for (PortHandle h : allHandles()) {
            for (Port p : h.queues()) {
                if (p != null && lane(p) == t) {
                    l.add(p);
                }
            }
        }
        return l;
    }

    private int lane(Port p) {
        return p.queue % lanes.length;
    }

    private List<PortHandle> allHandles() {
        List<PortHandle> all = new ArrayList<>(ports.values());
        if (uplinkHandle != null) {
            all.add(uplinkHandle);
        }
        return all;
    }

    private static void register(PortHandle h) {
        for (Port p : h.queues()) {
            h.attachment().xskMap().register(p.queue, p.socket.fd());
        }
    }

    private List<String> podInterfaces(ClusterConfig cluster) {
        Set<String> podIfs = new LinkedHashSet<>();
        for (WorkloadSpec w : cluster.workloadsOn(cfg.node)) {
            podIfs.add(w.hostInterface());
        }
        return new ArrayList<>(podIfs);
    }

    private boolean needsScatterGather(String ifname) throws IOException {
        return LinkInfo.mtu(ifname) + FrameParser.ETH_HLEN + 8 > lanes[0].umem.config().rxDataCapacity();
    }

    /**
     * Attaches the interface's program (a pod's fails closed from this moment: IP is dropped and
     * counted until its sockets are registered) and binds a socket on each of its queues, on the
     * UMEM of the thread that serves the queue. Inside the namespace. Nothing is registered in the
     * XSKMAP yet. Takes the slots it uses.
     */
    private PortHandle open(String ifname, boolean uplink) throws IOException {
        XdpAttachment att = unserved.remove(ifname);
        if (att == null) {
            att = loader.attach(ifname, uplink ? XdpRole.UPLINK : XdpRole.POD);
        }
        List<Port> made = new ArrayList<>();
        try {
            if (!uplink && !scatterGather && needsScatterGather(ifname)) {
                throw new IOException(ifname + " has MTU " + LinkInfo.mtu(ifname) + ", more than one UMEM frame holds, but"
                        + " this dataplane's UMEM was bound without XDP_USE_SG (start it with a large-MTU pod, or"
                        + " DataplaneConfig.scatterGather(true))");
            }
            int queues = LinkInfo.queues(ifname);
            if (queues < lanes.length) {
                LOG.log(System.Logger.Level.WARNING, ifname + " has " + queues + " queue(s) for " + lanes.length
                        + " dataplane threads: threads " + queues + ".." + (lanes.length - 1) + " cannot deliver to it"
                        + " (drop.pod_queue_not_on_thread)");
            }
            int fill = Integer.highestOneBit(Math.max(64, (uplink ? cfg.uplinkFill : cfg.podFill) * 2 - 1));
            long mac = LinkInfo.mac(ifname);
            int mtu = LinkInfo.mtu(ifname);
            for (int q = 0; q < queues; q++) {
                int slot = nextFreeSlot();
                XskSocket s = XskSocket.open(lanes[q % lanes.length].umem, XskConfig.of(ifname, q).rxSize(cfg.ringSize)
                        .txSize(cfg.ringSize).fillSize(fill).completionSize(cfg.ringSize).scatterGather(scatterGather));
                slots.set(slot);
                made.add(new Port(slot, ifname, s, uplink, mac, mtu, 256, q));
            }
            return new PortHandle(ifname, att, made.toArray(Port[]::new), LinkInfo.ifindex(ifname));
        } catch (IOException | RuntimeException e) {
            for (Port p : made) {
                p.socket.close();
                slots.clear(p.index);
            }
            if (uplink) {
                att.detach();
            } else {
                unserved.put(ifname, att); // stays attached: the pod is dropped, never passed in the clear
            }
            throw e;
        }
    }

    /**
     * Interface name -> thread t's port for it (its lowest queue there), or
     * {@link ClusterState#OTHER_THREAD} when the interface has no queue on thread t.
     */
    private Map<String, Integer> portMap(int t) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (PortHandle h : allHandles()) {
            int v = ClusterState.OTHER_THREAD;
            for (Port p : h.queues()) {
                if (lane(p) == t) {
                    v = p.index;
                    break;
                }
            }
            m.put(h.ifname(), v);
        }
        return m;
    }

    /**
     * Applies a new cluster view without stopping the thread (what the agent calls when the cluster
     * file changes). Pod interfaces of this node that appeared get their program and socket, set
     * up here, off the dataplane thread, and handed over between two batches; interfaces no local
     * workload uses any more (or whose link is gone or was re-created) are unregistered first
     * (their pods fall back to fail-closed drops), dropped by the thread, which takes back every
     * frame they held, then closed and detached. Returns false when the view is invalid for this
     * node (nothing changed). Endpoint, identity and policy changes apply in the same step.
     */
    public synchronized boolean updateCluster(ClusterConfig next) {
        if (closed) {
            return false;
        }
        try {
            ClusterState.build(next, cfg.node, Map.of(), uplinkMtu, 0); // validates before anything is touched
        } catch (RuntimeException e) {
            lastError = e;
            return false;
        }
        List<PortHandle> added = new ArrayList<>();
        List<PortHandle> removed = new ArrayList<>();
        NetNs ns = null;
        try {
            ns = cfg.netns == null ? null : enter(cfg.netns);
            List<String> wanted = podInterfaces(next);
            for (PortHandle h : ports.values()) {
                if (!wanted.contains(h.ifname()) || !sameLink(h)) {
                    removed.add(h);
                }
            }
            for (PortHandle h : removed) {
                ports.remove(h.ifname());
                for (Port p : h.queues()) {
                    try {
                        h.attachment().xskMap().unregister(p.queue); // no new frame reaches the socket
                    } catch (RuntimeException e) {
                        lastError = e; // the link is gone: nothing redirects any more anyway
                    }
                }
            }
            for (String ifname : wanted) {
                if (ports.containsKey(ifname) || ifindexOrZero(ifname) == 0) {
                    continue; // served already, or no such link (yet): the next update or check retries
                }
                try {
                    PortHandle h = open(ifname, false);
                    for (Port p : h.queues()) {
                        lanes[lane(p)].stats.name(p.index, ifname);
                    }
                    added.add(h);
                } catch (IOException | RuntimeException e) {
                    lastError = e;
                    lanes[0].stats.portsAddFailed.incrementRelease();
                    LOG.log(System.Logger.Level.WARNING, "pod interface " + ifname + " not served (its IP traffic is"
                            + " dropped): " + e.getMessage());
                }
            }
            for (String ifname : new ArrayList<>(unserved.keySet())) {
                if (!wanted.contains(ifname)) {
                    detachQuietly(unserved.remove(ifname));
                }
            }
        } catch (IOException e) {
            lastError = e;
            return false;
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
        for (PortHandle h : added) {
            ports.put(h.ifname(), h);
        }
        for (DataplaneThread l : lanes) {
            int t = l.index;
            int[] gone = removed.stream().flatMap(h -> java.util.Arrays.stream(h.queues())).filter(p -> lane(p) == t)
                    .mapToInt(p -> p.index).toArray();
            Port[] add = added.stream().flatMap(h -> java.util.Arrays.stream(h.queues())).filter(p -> lane(p) == t)
                    .toArray(Port[]::new);
            PortChange change = new PortChange(next, portMap(t), add, gone);
            while (!l.portChanges.offer(change)) {
                Thread.onSpinWait(); // 64 deep and drained every cycle: full only for an instant
            }
        }
        retiring.addAll(removed);
        long end = System.currentTimeMillis() + HANDOVER_WAIT_MS;
        for (PortHandle h : added) {
            for (Port p : h.queues()) {
                AgentRunner r = lanes[lane(p)].runner;
                while (!p.adopted && System.currentTimeMillis() < end && r != null && !r.isClosed()) {
                    sleep(1);
                }
            }
            // registered even if a thread is slow: until its fill ring is primed the kernel drops
            // (XDP_STATISTICS rx_dropped), never passes
            register(h);
        }
        while (!retiring.isEmpty() && System.currentTimeMillis() < end && finishRetired() > 0) {
            sleep(5);
        }
        if (!added.isEmpty() || !removed.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "dataplane " + cfg.node + ": ports added " + names(added) + ", removed "
                    + names(removed));
        }
        return true;
    }

    private static String names(List<PortHandle> l) {
        return l.stream().map(PortHandle::ifname).toList().toString();
    }

    /** A slot being retired is still the old port's until it is released. */
    private int nextFreeSlot() {
        int s = slots.nextClearBit(0);
        if (s >= DataplaneAgent.MAX_PORTS) {
            throw new IllegalStateException("no port slot left (" + DataplaneAgent.MAX_PORTS + ")");
        }
        return s;
    }

    /** True while the port's interface exists with the ifindex its socket is bound to. */
    private static boolean sameLink(PortHandle h) {
        return ifindexOrZero(h.ifname()) == h.ifindex();
    }

    private static int ifindexOrZero(String ifname) {
        try {
            return LinkInfo.ifindex(ifname);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Closes and detaches the retired ports the dataplane thread has released; returns how many are
     * still retiring.
     */
    private int finishRetired() {
        NetNs ns = null;
        try {
            for (var it = retiring.iterator(); it.hasNext(); ) {
                PortHandle h = it.next();
                boolean released = true;
                for (Port p : h.queues()) {
                    released &= p.released;
                }
                if (!released) {
                    continue;
                }
                it.remove();
                for (Port p : h.queues()) {
                    p.socket.close();
                }
                if (ns == null && cfg.netns != null) {
                    ns = enter(cfg.netns);
                }
                detachQuietly(h.attachment());
                for (Port p : h.queues()) {
                    lanes[lane(p)].stats.unname(p.index);
                    slots.clear(p.index);
                }
                kernel.remove(h.ifname());
            }
        } catch (IOException e) {
            lastError = e;
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
        return retiring.size();
    }

    private void detachQuietly(XdpAttachment a) {
        try {
            a.detach();
        } catch (RuntimeException e) {
            lastError = e;
        }
    }

    /** Every 500 ms: finish retired ports, and drop ports whose link vanished or was re-created. */
    private void maintain() {
        try {
            boolean stale;
            synchronized (this) {
                if (closed) {
                    return;
                }
                finishRetired();
                refreshKernelCounters();
                jvm.refresh(dataplaneThreads());
                stale = false;
                NetNs ns = cfg.netns == null ? null : enter(cfg.netns);
                try {
                    for (PortHandle h : ports.values()) {
                        stale |= !sameLink(h);
                    }
                } finally {
                    if (ns != null) {
                        ns.close();
                    }
                }
            }
            if (stale) {
                updateCluster(lanes[0].agent.cluster().config);
            }
        } catch (IOException | RuntimeException e) {
            lastError = e;
        }
    }

    /** Mirrors what the kernel dropped (XDP_STATISTICS, the programs' drops) into the counters file. */
    private void refreshKernelCounters() {
        for (PortHandle h : ports.values()) {
            kernel.refresh(h.ifname(), sockets(h), h.attachment());
        }
        if (uplinkHandle != null) {
            kernel.refresh(uplinkHandle.ifname(), sockets(uplinkHandle), uplinkHandle.attachment());
        }
        long failed = 0;
        for (DataplaneThread l : lanes) {
            PollSet w = l.wait;
            failed += w == null ? 0 : w.failures();
        }
        kernel.pollFailures(failed);
    }

    /** The dataplane threads (null before a thread started), for the JVM counters. */
    private Thread[] dataplaneThreads() {
        Thread[] threads = new Thread[lanes.length];
        for (int i = 0; i < lanes.length; i++) {
            AgentRunner r = lanes[i].runner;
            threads[i] = r == null ? null : r.thread();
        }
        return threads;
    }

    private static XskSocket[] sockets(PortHandle h) {
        XskSocket[] s = new XskSocket[h.queues().length];
        for (int q = 0; q < s.length; q++) {
            s[q] = h.queues()[q].socket;
        }
        return s;
    }

    /** The kernel-side drop counters, refreshed now (non-zero ones, for messages; "" when none). */
    public synchronized String kernelDrops() {
        if (closed || kernel == null) {
            return "";
        }
        refreshKernelCounters();
        return kernel.summary();
    }

    /** The kernel-side drop counters, refreshed now. */
    public synchronized KernelCounters kernelCounters() {
        if (!closed && kernel != null) {
            refreshKernelCounters();
        }
        return kernel;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static NetNs enter(String name) throws IOException {
        try {
            return NetNs.enter(name);
        } catch (Exception e) {
            throw new IOException("cannot enter network namespace " + name + ": " + e.getMessage(), e);
        }
    }

    /** Control plane -> dataplane: handshakes in progress (busy-spin and yield threads poll meanwhile). */
    public io.xdpmesh.dataplane.session.HandshakeActivity handshakes() {
        return handshakes;
    }

    /** Control plane -> dataplane (install/fail/remove sessions, cluster updates). */
    public DataplaneCommands commands() {
        return commands;
    }

    /** Dataplane -> control plane (pairs waiting for a session). */
    public AuthRequests authRequests() {
        return requests;
    }

    /** Thread 0's drop counters (each thread has its own; {@link #drops(int)}). */
    public DropCounters drops() {
        return lanes[0].drops;
    }

    /** Thread 0's counters (each thread has its own; {@link #stats(int)}). */
    public StatCounters stats() {
        return lanes[0].stats;
    }

    public DropCounters drops(int thread) {
        return lanes[thread].drops;
    }

    public StatCounters stats(int thread) {
        return lanes[thread].stats;
    }

    /** How many dataplane threads run. */
    public int threads() {
        return lanes.length;
    }

    /** A drop reason summed over every thread. */
    public long dropped(io.xdpmesh.dataplane.counters.DropReason r) {
        long n = 0;
        for (DataplaneThread l : lanes) {
            n += l.drops.get(r);
        }
        return n;
    }

    /** Frames held for a session, over every thread. */
    public int pendingFrames() {
        int n = 0;
        for (DataplaneThread l : lanes) {
            n += l.agent == null ? 0 : l.agent.pendingFrames();
        }
        return n;
    }

    public CountersFile countersFile() {
        return counters;
    }

    public FlowTable flows() {
        return flows;
    }

    public ClusterState cluster() {
        return lanes[0].agent.cluster();
    }

    /** Thread 0's duty cycle. */
    public DataplaneAgent agent() {
        return lanes[0].agent;
    }

    public DataplaneAgent agent(int thread) {
        return lanes[thread].agent;
    }

    /** Names of the interfaces served now (pod interfaces, then the uplink). */
    public synchronized String[] interfaces() {
        List<String> l = new ArrayList<>(ports.keySet());
        if (uplinkHandle != null) {
            l.add(uplinkHandle.ifname());
        }
        return l.toArray(String[]::new);
    }

    /** Dataplane thread 0 (for allocation and CPU measurements). */
    public Thread thread() {
        return thread(0);
    }

    public Thread thread(int t) {
        AgentRunner r = lanes[t].runner;
        return r == null ? null : r.thread();
    }

    public Throwable lastError() {
        return lastError;
    }

    public long errors() {
        return errors;
    }

    /** One served interface as the operator sees it (xdpmesh status). */
    public record PortStatus(String ifname, String role, String xdpMode, int programId, boolean adopted,
            String xskMode) {}

    /** The interfaces this thread serves: XDP program, its mode, and the AF_XDP bind mode. */
    public synchronized List<PortStatus> portStatus() {
        List<PortStatus> l = new ArrayList<>();
        List<PortHandle> all = new ArrayList<>(ports.values());
        if (uplinkHandle != null) {
            all.add(uplinkHandle);
        }
        for (PortHandle h : all) {
            XdpAttachment a = h.attachment();
            l.add(new PortStatus(a.ifname(), a.role().name().toLowerCase(java.util.Locale.ROOT),
                    a.mode().name().toLowerCase(java.util.Locale.ROOT), a.programId(), a.adopted(),
                    h.first().socket.mode()));
        }
        return l;
    }

    /** Stops the thread and detaches the XDP programs (nothing of ours stays attached or pinned). */
    @Override
    public void close() {
        close(true);
    }

    /**
     * Stops the thread; with {@code detach} false the programs stay attached and pinned, so pods stay
     * fail-closed (their IP frames find no socket and are dropped) until an agent re-adopts them.
     * Interfaces already being removed are detached either way.
     */
    public void close(boolean detach) {
        synchronized (this) {
            closed = true;
        }
        if (maintenance != null) {
            maintenance.shutdownNow();
        }
        java.util.Set<io.xdpmesh.crypto.transport.Keypair> keys =
                java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (DataplaneThread l : lanes) {
            if (l.runner != null) {
                l.commands.wakeup(null);
                l.runner.close(); // a thread in poll(2) returns within its 1 ms timeout and sees the stop
                for (var s : l.agent.sessionsSnapshot()) {
                    keys.addAll(s.keys.clear());
                }
            }
        }
        keys.forEach(io.xdpmesh.crypto.transport.Keypair::close); // the threads are gone: wipe the keys they held
        if (neighbours != null) {
            neighbours.close();
        }
        synchronized (this) {
            List<PortHandle> all = new ArrayList<>(ports.values());
            if (uplinkHandle != null) {
                all.add(uplinkHandle);
            }
            NetNs ns = null;
            try {
                ns = cfg.netns == null ? null : enter(cfg.netns);
                for (PortHandle h : all) {
                    release(h.attachment(), detach);
                }
                for (PortHandle h : retiring) {
                    release(h.attachment(), true);
                }
                for (XdpAttachment a : unserved.values()) {
                    release(a, detach);
                }
            } catch (IOException e) {
                lastError = e;
            } finally {
                if (ns != null) {
                    ns.close();
                }
            }
            // the uplink's socket holds the UMEM's registration fd: close it last
            for (PortHandle h : retiring) {
                for (Port p : h.queues()) {
                    p.socket.close();
                }
            }
            for (PortHandle h : all) {
                for (Port p : h.queues()) {
                    p.socket.close();
                }
            }
            ports.clear();
            retiring.clear();
            unserved.clear();
        }
        for (DataplaneThread l : lanes) {
            if (l.wait != null) {
                l.wait.close();
            }
            if (l.umem != null) {
                l.umem.close();
            }
        }
        if (flows != null) {
            flows.close();
        }
        if (counters != null) {
            counters.close();
        }
    }

    private void release(XdpAttachment a, boolean detach) {
        try {
            if (detach) {
                a.detach();
            } else {
                a.close();
            }
        } catch (RuntimeException e) {
            lastError = e;
        }
    }
}
