package io.xdpmesh.dataplane.engine;

import io.xdpmesh.dataplane.cluster.ClusterConfig;
import io.xdpmesh.dataplane.cluster.NodeSpec;
import io.xdpmesh.dataplane.cluster.WorkloadSpec;
import io.xdpmesh.dataplane.counters.CountersFile;
import io.xdpmesh.dataplane.counters.DropCounters;
import io.xdpmesh.dataplane.counters.StatCounters;
import io.xdpmesh.dataplane.flow.FlowTable;
import io.xdpmesh.dataplane.neighbour.NeighbourResolver;
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
    private final DataplaneConfig cfg;
    private final List<XdpAttachment> attachments = new ArrayList<>();
    private final List<XskSocket> sockets = new ArrayList<>();
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
    private final DataplaneCommands commands = new DataplaneCommands(1024);
    private final AuthRequests requests = new AuthRequests(1 << 16);
    private volatile Throwable lastError;
    private long errors;
    private String[] portNames;

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

    private void setUp(ClusterConfig cluster) throws IOException {
        NodeSpec self = cluster.node(cfg.node)
                .orElseThrow(() -> new IllegalArgumentException("node '" + cfg.node + "' is not in the cluster file"));
        Set<String> podIfs = new LinkedHashSet<>();
        for (WorkloadSpec w : cluster.workloadsOn(cfg.node)) {
            podIfs.add(w.hostInterface());
        }
        List<String> names = new ArrayList<>(podIfs);
        names.add(self.uplink());
        portNames = names.toArray(String[]::new);
        Map<String, Integer> portByIfname = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            portByIfname.put(names.get(i), i);
        }
        Port[] ports = new Port[names.size()];
        int uplinkMtu;
        ClusterState state;
        NetNs ns = cfg.netns == null ? null : enter(cfg.netns);
        try {
            uplinkMtu = LinkInfo.mtu(self.uplink());
            state = ClusterState.build(cluster, cfg.node, portByIfname, uplinkMtu, 1);
            XdpLoader loader = XdpLoader.forAgent(cfg.bpffs, cfg.agentName);
            int frames = Math.max(cfg.umemFrames, cfg.uplinkFill + podIfs.size() * cfg.podFill + cfg.pendingGlobal + 1024);
            umem = Umem.create(UmemConfig.defaults().withFrameCount(frames));
            for (int i = 0; i < names.size(); i++) {
                String ifname = names.get(i);
                boolean up = i == names.size() - 1;
                XdpAttachment att = loader.attach(ifname, up ? XdpRole.UPLINK : XdpRole.POD);
                attachments.add(att);
                if (up) {
                    att.configure(new XdpConfig(cluster.tunnelPort(), false));
                }
                int fill = Integer.highestOneBit(Math.max(64, (up ? cfg.uplinkFill : cfg.podFill) * 2 - 1));
                XskSocket s = XskSocket.open(umem, XskConfig.of(ifname, 0).rxSize(cfg.ringSize).txSize(cfg.ringSize)
                        .fillSize(fill).completionSize(cfg.ringSize));
                sockets.add(s);
                ports[i] = new Port(i, ifname, s, up, LinkInfo.mac(ifname), LinkInfo.mtu(ifname), 256);
            }
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
        stats = new StatCounters(counters.manager(), portNames);
        flows = FlowTable.create(cfg.stateDir.resolve(StateFiles.FLOWS), cfg.flowTableSlots);
        agent = new DataplaneAgent(cfg.node, umem, ports, ports[ports.length - 1], state, cfg, commands, requests,
                drops, stats, flows, neighbours, portByIfname, uplinkMtu);
        // Sockets are live before the programs redirect to them: register last.
        for (int i = 0; i < ports.length; i++) {
            attachments.get(i).xskMap().register(0, sockets.get(i).fd());
        }
        neighbours.start();
        if (cfg.idle == IdleMode.BACKOFF) {
            int[] fds = new int[sockets.size()];
            for (int i = 0; i < fds.length; i++) {
                fds[i] = sockets.get(i).fd();
            }
            wait = new PollSet(fds);
        }
        runner = new AgentRunner(cfg.idle.strategy(wait), t -> {
            errors++;
            lastError = t;
        }, null, agent);
        AgentRunner.startOnThread(runner);
        Thread t = runner.thread();
        PollSet w = wait;
        commands.wakeup(w != null ? w::signal : () -> java.util.concurrent.locks.LockSupport.unpark(t));
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

    /** Port names in counter order (pod interfaces, then the uplink). */
    public String[] interfaces() {
        return portNames.clone();
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
    public List<PortStatus> portStatus() {
        List<PortStatus> l = new ArrayList<>();
        for (int i = 0; i < attachments.size() && i < sockets.size(); i++) {
            XdpAttachment a = attachments.get(i);
            l.add(new PortStatus(a.ifname(), a.role().name().toLowerCase(java.util.Locale.ROOT),
                    a.mode().name().toLowerCase(java.util.Locale.ROOT), a.programId(), a.adopted(), sockets.get(i).mode()));
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
     */
    public void close(boolean detach) {
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
        NetNs ns = null;
        try {
            ns = cfg.netns == null ? null : enter(cfg.netns);
            for (XdpAttachment a : attachments) {
                try {
                    if (!detach) {
                        a.close();
                        continue;
                    }
                    a.detach();
                } catch (RuntimeException e) {
                    lastError = e;
                }
            }
        } catch (IOException e) {
            lastError = e;
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
        if (wait != null) {
            wait.close();
        }
        for (XskSocket s : sockets) {
            s.close();
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
}
