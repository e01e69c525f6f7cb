package io.xdpmesh.dataplane.engine;

import io.xdpmesh.dataplane.cluster.ClusterConfig;
import io.xdpmesh.dataplane.cluster.NodeSpec;
import io.xdpmesh.dataplane.cluster.WorkloadSpec;
import io.xdpmesh.dataplane.counters.CountersFile;
import io.xdpmesh.dataplane.counters.DropCounters;
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
    /** What the dataplane thread serves, by interface name (set-up side; guarded by this). */
    private final Map<String, PortHandle> ports = new LinkedHashMap<>();
    /** Removed ports whose frames the dataplane thread is still taking back. */
    private final List<PortHandle> retiring = new ArrayList<>();
    /** Local workload interfaces that could not be served: their program stays attached (fail closed). */
    private final Map<String, XdpAttachment> unserved = new LinkedHashMap<>();
    private final BitSet slots = new BitSet(DataplaneAgent.MAX_PORTS);
    private final Queue<PortChange> portChanges = new ManyToOneConcurrentArrayQueue<>(64);
    private PortHandle uplinkHandle;
    private XdpLoader loader;
    private boolean scatterGather;
    private Umem umem;
    private NeighbourResolver neighbours;
    private CountersFile counters;
    private FlowTable flows;
    private DataplaneAgent agent;
    /** What the thread sleeps in when idle (BACKOFF), null otherwise. */
    private PollSet wait;
    private AgentRunner runner;
    private DropCounters drops;
    private StatCounters stats;
    private KernelCounters kernel;
    private ScheduledExecutorService maintenance;
    private final DataplaneCommands commands = new DataplaneCommands(1024);
    private final AuthRequests requests = new AuthRequests(1 << 16);
    private volatile Throwable lastError;
    private long errors;
    private int uplinkMtu;
    private boolean closed;

    /** One served interface: its slot's port, program and socket. */
    private record PortHandle(Port port, XdpAttachment attachment, XskSocket socket, int ifindex) {}

    private Dataplane(DataplaneConfig cfg) {
        this.cfg = cfg;
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
        ClusterState state;
        List<Port> initial = new ArrayList<>();
        NetNs ns = cfg.netns == null ? null : enter(cfg.netns);
        try {
            uplinkMtu = LinkInfo.mtu(self.uplink());
            loader = XdpLoader.forAgent(cfg.bpffs, cfg.agentName);
            int frames = Math.max(cfg.umemFrames, cfg.uplinkFill + Math.max(podIfs.size(), cfg.podSlots) * cfg.podFill
                    + cfg.pendingGlobal + 1024);
            umem = Umem.create(UmemConfig.defaults().withFrameCount(frames));
            // Interfaces with an MTU larger than a UMEM frame holds hand over descriptor chains (pods
            // in large-frame mode, a jumbo uplink): the UMEM's first socket (the uplink's) decides
            // XDP_USE_SG for every socket on it.
            scatterGather = cfg.scatterGather || needsScatterGather(self.uplink());
            for (String ifname : podIfs) {
                scatterGather |= needsScatterGather(ifname);
            }
            // The uplink first: it holds the UMEM's registration fd, and it never goes away at runtime.
            int upSlot = slots.nextClearBit(0);
            slots.set(upSlot);
            uplinkHandle = open(self.uplink(), upSlot, true);
            uplinkHandle.attachment().configure(new XdpConfig(cluster.tunnelPort(), false));
            for (String ifname : podIfs) {
                int slot = slots.nextClearBit(0);
                slots.set(slot);
                ports.put(ifname, open(ifname, slot, false));
            }
            for (PortHandle h : ports.values()) {
                initial.add(h.port());
            }
            initial.add(uplinkHandle.port());
            state = ClusterState.build(cluster, cfg.node, portMap(ports), uplinkMtu, 1);
            neighbours = new NeighbourResolver(LinkInfo.ifindex(self.uplink()), state.peers, cfg.node);
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
        counters = CountersFile.create(cfg.stateDir.resolve(StateFiles.COUNTERS), 1024);
        drops = new DropCounters(counters.manager());
        stats = new StatCounters(counters.manager(), new String[0], DataplaneAgent.MAX_PORTS);
        for (Port p : initial) {
            stats.name(p.index, p.ifname);
        }
        kernel = new KernelCounters(counters.manager());
        flows = FlowTable.create(cfg.stateDir.resolve(StateFiles.FLOWS), cfg.flowTableSlots);
        agent = new DataplaneAgent(cfg.node, umem, initial.toArray(Port[]::new), uplinkHandle.port(), state, cfg, commands,
                requests, drops, stats, flows, neighbours, portMap(ports), uplinkMtu, portChanges);
        // Sockets are live (fill rings primed) before the programs redirect to them: register last.
        for (Port p : initial) {
            handle(p).attachment().xskMap().register(0, p.socket.fd());
        }
        neighbours.start();
        if (cfg.idle == IdleMode.BACKOFF) {
            int[] fds = new int[initial.size()];
            for (int i = 0; i < fds.length; i++) {
                fds[i] = initial.get(i).socket.fd();
            }
            // Ports added at runtime join the set (and leave it) on the dataplane thread itself.
            wait = new PollSet(fds, DataplaneAgent.MAX_PORTS);
            agent.idleWait(wait);
        }
        runner = new AgentRunner(cfg.idle.strategy(wait), t -> {
            errors++;
            lastError = t;
        }, null, agent);
        AgentRunner.startOnThread(runner);
        Thread t = runner.thread();
        PollSet w = wait;
        commands.wakeup(w != null ? w::signal : () -> java.util.concurrent.locks.LockSupport.unpark(t));
        maintenance = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("xdpmesh-ports-" + cfg.node).factory());
        maintenance.scheduleWithFixedDelay(this::maintain, 500, 500, TimeUnit.MILLISECONDS);
    }

    private List<String> podInterfaces(ClusterConfig cluster) {
        Set<String> podIfs = new LinkedHashSet<>();
        for (WorkloadSpec w : cluster.workloadsOn(cfg.node)) {
            podIfs.add(w.hostInterface());
        }
        return new ArrayList<>(podIfs);
    }

    private boolean needsScatterGather(String ifname) throws IOException {
        return LinkInfo.mtu(ifname) + FrameParser.ETH_HLEN + 8 > umem.config().rxDataCapacity();
    }

    /**
     * Attaches the interface's program (a pod's fails closed from this moment: IP is dropped and
     * counted until its socket is registered) and binds its socket on the shared UMEM. Inside the
     * namespace. The socket is not registered in the XSKMAP yet.
     */
    private PortHandle open(String ifname, int slot, boolean uplink) throws IOException {
        XdpAttachment att = unserved.remove(ifname);
        if (att == null) {
            att = loader.attach(ifname, uplink ? XdpRole.UPLINK : XdpRole.POD);
        }
        XskSocket s = null;
        try {
            if (!uplink && !scatterGather && needsScatterGather(ifname)) {
                throw new IOException(ifname + " has MTU " + LinkInfo.mtu(ifname) + ", more than one UMEM frame holds, but"
                        + " this dataplane's UMEM was bound without XDP_USE_SG (start it with a large-MTU pod, or"
                        + " DataplaneConfig.scatterGather(true))");
            }
            int fill = Integer.highestOneBit(Math.max(64, (uplink ? cfg.uplinkFill : cfg.podFill) * 2 - 1));
            s = XskSocket.open(umem, XskConfig.of(ifname, 0).rxSize(cfg.ringSize).txSize(cfg.ringSize)
                    .fillSize(fill).completionSize(cfg.ringSize).scatterGather(scatterGather));
            Port p = new Port(slot, ifname, s, uplink, LinkInfo.mac(ifname), LinkInfo.mtu(ifname), 256);
            return new PortHandle(p, att, s, LinkInfo.ifindex(ifname));
        } catch (IOException | RuntimeException e) {
            if (s != null) {
                s.close();
            }
            if (uplink) {
                att.detach();
            } else {
                unserved.put(ifname, att); // stays attached: the pod is dropped, never passed in the clear
            }
            throw e;
        }
    }

    private PortHandle handle(Port p) {
        return p.uplink ? uplinkHandle : ports.get(p.ifname);
    }

    private Map<String, Integer> portMap(Map<String, PortHandle> pods) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (PortHandle h : pods.values()) {
            m.put(h.port().ifname, h.port().index);
        }
        if (uplinkHandle != null) {
            m.put(uplinkHandle.port().ifname, uplinkHandle.port().index);
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
                if (!wanted.contains(h.port().ifname) || !sameLink(h)) {
                    removed.add(h);
                }
            }
            for (PortHandle h : removed) {
                ports.remove(h.port().ifname);
                try {
                    h.attachment().xskMap().unregister(0); // no new frame reaches the socket
                } catch (RuntimeException e) {
                    lastError = e; // the link is gone: nothing redirects any more anyway
                }
            }
            for (String ifname : wanted) {
                if (ports.containsKey(ifname) || ifindexOrZero(ifname) == 0) {
                    continue; // served already, or no such link (yet): the next update or check retries
                }
                int slot = nextFreeSlot();
                try {
                    PortHandle h = open(ifname, slot, false);
                    slots.set(slot);
                    stats.name(slot, ifname);
                    added.add(h);
                } catch (IOException | RuntimeException e) {
                    lastError = e;
                    stats.portsAddFailed.incrementRelease();
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
            ports.put(h.port().ifname, h);
        }
        int[] gone = removed.stream().mapToInt(h -> h.port().index).toArray();
        PortChange change = new PortChange(next, portMap(ports), added.stream().map(PortHandle::port).toArray(Port[]::new),
                gone);
        while (!portChanges.offer(change)) {
            Thread.onSpinWait(); // 64 deep and drained every cycle: full only for an instant
        }
        retiring.addAll(removed);
        long end = System.currentTimeMillis() + HANDOVER_WAIT_MS;
        for (PortHandle h : added) {
            while (!h.port().adopted && System.currentTimeMillis() < end && runner != null && !runner.isClosed()) {
                sleep(1);
            }
            // registered even if the thread is slow: until its fill ring is primed the kernel drops
            // (XDP_STATISTICS rx_dropped), never passes
            h.attachment().xskMap().register(0, h.socket().fd());
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
        return l.stream().map(h -> h.port().ifname).toList().toString();
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
        return ifindexOrZero(h.port().ifname) == h.ifindex();
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
                if (!h.port().released) {
                    continue;
                }
                it.remove();
                h.socket().close();
                if (ns == null && cfg.netns != null) {
                    ns = enter(cfg.netns);
                }
                detachQuietly(h.attachment());
                stats.unname(h.port().index);
                kernel.remove(h.port().ifname);
                slots.clear(h.port().index);
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
                updateCluster(agent.cluster().config);
            }
        } catch (IOException | RuntimeException e) {
            lastError = e;
        }
    }

    /** Mirrors what the kernel dropped (XDP_STATISTICS, the programs' drops) into the counters file. */
    private void refreshKernelCounters() {
        for (PortHandle h : ports.values()) {
            kernel.refresh(h.port().ifname, h.socket(), h.attachment());
        }
        if (uplinkHandle != null) {
            kernel.refresh(uplinkHandle.port().ifname, uplinkHandle.socket(), uplinkHandle.attachment());
        }
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

    /** Control plane -> dataplane (install/fail/remove sessions, cluster updates). */
    public DataplaneCommands commands() {
        return commands;
    }

    /** Dataplane -> control plane (pairs waiting for a session). */
    public AuthRequests authRequests() {
        return requests;
    }

    public DropCounters drops() {
        return drops;
    }

    public StatCounters stats() {
        return stats;
    }

    public CountersFile countersFile() {
        return counters;
    }

    public FlowTable flows() {
        return flows;
    }

    public ClusterState cluster() {
        return agent.cluster();
    }

    public DataplaneAgent agent() {
        return agent;
    }

    /** Names of the interfaces served now (pod interfaces, then the uplink). */
    public synchronized String[] interfaces() {
        List<String> l = new ArrayList<>(ports.keySet());
        if (uplinkHandle != null) {
            l.add(uplinkHandle.port().ifname);
        }
        return l.toArray(String[]::new);
    }

    /** The dataplane thread (for allocation and CPU measurements). */
    public Thread thread() {
        return runner == null ? null : runner.thread();
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
                    a.mode().name().toLowerCase(java.util.Locale.ROOT), a.programId(), a.adopted(), h.socket().mode()));
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
        if (runner != null) {
            commands.wakeup(null);
            runner.close(); // a thread in poll(2) returns within its 1 ms timeout and sees the stop
            for (var s : agent.sessionsSnapshot()) { // the thread is gone: wipe the keys it held
                s.keys.clear().forEach(io.xdpmesh.crypto.transport.Keypair::close);
            }
        }
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
                h.socket().close();
            }
            for (PortHandle h : all) {
                h.socket().close();
            }
            ports.clear();
            retiring.clear();
            unserved.clear();
        }
        if (wait != null) {
            wait.close();
        }
        if (umem != null) {
            umem.close();
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
