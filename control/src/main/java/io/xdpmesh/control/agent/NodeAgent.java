package io.xdpmesh.control.agent;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.StateDir;
import io.xdpmesh.control.handshake.HandshakeConfig;
import io.xdpmesh.control.handshake.HandshakeCounters;
import io.xdpmesh.control.handshake.HandshakeService;
import io.xdpmesh.control.handshake.HandshakeTrace;
import io.xdpmesh.control.identity.FileSvidSource;
import io.xdpmesh.control.identity.IdentityStore;
import io.xdpmesh.control.identity.SvidSource;
import io.xdpmesh.control.identity.WorkloadApiSvidSource;
import io.xdpmesh.control.session.AuthRequest;
import io.xdpmesh.control.session.AuthRequestPump;
import io.xdpmesh.control.session.IdentityPair;
import io.xdpmesh.control.tls.CryptoProviders;
import io.xdpmesh.dataplane.authcache.AuthCache;
import io.xdpmesh.dataplane.authcache.AuthEntry;
import io.xdpmesh.dataplane.authcache.AuthKey;
import io.xdpmesh.dataplane.authcache.AuthType;
import io.xdpmesh.dataplane.authcache.IdentityHash;
import io.xdpmesh.dataplane.cluster.ClusterConfig;
import io.xdpmesh.dataplane.cluster.FileClusterSource;
import io.xdpmesh.dataplane.cluster.NodeSpec;
import io.xdpmesh.dataplane.cluster.WorkloadSpec;
import io.xdpmesh.dataplane.engine.Dataplane;
import io.xdpmesh.dataplane.engine.DataplaneConfig;
import io.xdpmesh.dataplane.session.Aeads;
import io.xdpmesh.dataplane.session.FailReason;
import io.xdpmesh.xdp.bpf.BpfFs;
import io.xdpmesh.xdp.sys.Capabilities;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One node agent: the dataplane thread on the node's pod interfaces and uplink, the TLS 1.3
 * handshake service, and the glue between them (auth requests in, sessions out, auth cache,
 * renewal and GC, cluster file changes, the status file). {@link #close(boolean)} with
 * {@code detach} false leaves the XDP programs attached and pinned: while no agent runs, the pod
 * program finds no socket and drops pod IP traffic (fail closed), and the next agent re-adopts it.
 */
public final class NodeAgent implements AutoCloseable {
    /** At most this long for the TLS warm-up; it ends sooner once handshake times stop falling. */
    private static final java.time.Duration TLS_WARMUP_BUDGET = java.time.Duration.ofSeconds(15);
    private static final java.time.Duration AEAD_WARMUP_BUDGET = java.time.Duration.ofSeconds(30);
    private static final System.Logger LOG = System.getLogger(NodeAgent.class.getName());

    private final AgentOptions opt;
    private volatile ClusterView view;
    private FileClusterSource clusterSource;
    private AuthCache cache;
    private Dataplane dataplane;
    private SvidSource svids;
    private final IdentityStore store = new IdentityStore();
    private HandshakeService service;
    /** The handshake service's event loops, made before the TLS warm-up, which runs on them too. */
    private io.netty.channel.EventLoopGroup handshakeLoops;
    private AuthRequestPump pump;
    private SessionKeeper keeper;
    private IndexRegistry indexes;
    private AgentCounters counters;
    private DataplaneSessionSink sink;
    private StatusWriter status;
    private InetSocketAddress listen;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("xdpmesh-agent-timer").factory());
    private volatile boolean closed;
    /** When each pending request left the dataplane's ring (request-to-install latency in the log). */
    private final java.util.Map<AuthRequest, Long> requestedAt = new java.util.concurrent.ConcurrentHashMap<>();

    private NodeAgent(AgentOptions opt) {
        this.opt = opt;
    }

    /** The capabilities the agent lacks, as names (empty when it may run). */
    public static List<String> missingCapabilities() {
        Capabilities caps = Capabilities.current();
        Set<String> missing = new LinkedHashSet<>(caps.missingForXdp());
        missing.addAll(caps.missingForXsk());
        if (!caps.has(Capabilities.CAP_PERFMON) && !caps.has(Capabilities.CAP_SYS_ADMIN)) {
            missing.add("CAP_PERFMON"); // else the verifier rejects the programs (EACCES)
        }
        if (!caps.has(CAP_IPC_LOCK) && memlockBytes() < (64L << 20)) {
            missing.add("CAP_IPC_LOCK (or RLIMIT_MEMLOCK >= 64 MiB)"); // to pin the UMEM
        }
        return new ArrayList<>(missing);
    }

    private static final int CAP_IPC_LOCK = 14;

    /** The soft RLIMIT_MEMLOCK in bytes (Long.MAX_VALUE when unlimited or unknown). */
    static long memlockBytes() {
        try {
            for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
                if (l.startsWith("Max locked memory")) {
                    String soft = l.substring(26).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return Long.MAX_VALUE;
        }
        return Long.MAX_VALUE;
    }

    /** Starts everything, or undoes what it started and throws with a one-line reason. */
    public static NodeAgent start(AgentOptions opt) throws Exception {
        List<String> missing = missingCapabilities();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the agent needs root, or CAP_NET_ADMIN, CAP_BPF, CAP_NET_RAW, CAP_PERFMON and CAP_IPC_LOCK; this process lacks "
                    + String.join(", ", missing));
        }
        NodeAgent a = new NodeAgent(opt);
        try {
            a.setUp();
        } catch (Exception | Error e) {
            a.close(false);
            throw e;
        }
        return a;
    }

    private void setUp() throws Exception {
        HostSetup.stateDir(opt.stateDir());
        clusterSource = new FileClusterSource(opt.clusterFile());
        ClusterConfig cluster = clusterSource.load();
        view = new ClusterView(cluster, opt.node());
        NodeSpec self = view.self();
        listen = opt.listen() != null ? opt.listen() : new InetSocketAddress(self.address(), HandshakeConfig.DEFAULT_PORT);
        if (!BpfFs.isBpfFs(opt.bpffs())) {
            LOG.log(Level.WARNING, opt.bpffs() + " is not a bpf filesystem: mounting one there (needs CAP_SYS_ADMIN;"
                    + " pins then live as long as this mount namespace)");
            BpfFs.mount(opt.bpffs());
        }
        List<String> podIfs = cluster.workloadsOn(opt.node()).stream().map(WorkloadSpec::hostInterface).distinct().toList();
        HostSetup.podInterfaces(podIfs);

        cache = AuthCache.open(StateDir.authCache(opt.stateDir()).toFile(), StateDir.AUTH_CACHE_ENTRIES);
        dataplane = Dataplane.start(DataplaneConfig.forNode(opt.node()).stateDir(opt.stateDir())
                .bpffs(opt.bpffs(), opt.node()).authCache(cache)
                .pendingTimeout(opt.pendingTimeout()).idle(opt.idle()).threads(opt.threads()), cluster);
        // every session keypair gets a sending and a receiving cipher per dataplane thread
        io.xdpmesh.control.handshake.Lanes.set(opt.threads());
        if (dataplane.lastError() != null) {
            LOG.log(Level.WARNING, "dataplane: " + dataplane.lastError().getMessage());
        }
        counters = new AgentCounters(dataplane.countersFile().manager());
        HandshakeCounters hsCounters = new HandshakeCounters(dataplane.countersFile().manager());

        // Before any SVID is loaded: keys parsed while ACCP is first are ACCP's own key objects, as
        // the warm-up's are. SunEC keys loaded earlier made ACCP translate the key at every
        // CertificateVerify and made the warmed-up handshake code deoptimize at the first real pair.
        CryptoProviders.install();
        svids = opt.workloadApi() != null ? new WorkloadApiSvidSource(opt.workloadApi(), store, 10_000)
                : new FileSvidSource(opt.identityDir(), store);
        svids.start();
        for (WorkloadSpec w : cluster.workloadsOn(opt.node())) {
            if (store.current(SpiffeId.parse(w.spiffeId())).isEmpty()) {
                LOG.log(Level.WARNING, "no SVID for local workload " + w.spiffeId() + " (" + svids.describe()
                        + "): its pairs will fail with no_local_svid");
            }
        }
        // Both warm-ups are CPU-bound and independent: the cipher on a second thread (a second core)
        // while this one warms the TLS stack. The cipher's runs until it allocates nothing (C2 has
        // compiled the Vector API path), which beside the TLS warm-up's compilations can take 10 s+.
        long w0 = System.nanoTime();
        int aeadRounds = (int) Math.min(2_000_000L, opt.warmupHandshakes() * 200L); // --warmup scales both
        java.util.concurrent.CompletableFuture<io.xdpmesh.dataplane.session.AeadWarmup.Result> aead =
                java.util.concurrent.CompletableFuture.supplyAsync(
                () -> io.xdpmesh.dataplane.session.AeadWarmup.run(aeadRounds, AEAD_WARMUP_BUDGET),
                r -> Thread.ofPlatform().daemon().name("xdpmesh-aead-warmup").start(r));
        handshakeLoops = HandshakeService.newEventLoopGroup();
        int warm = TlsWarmup.run(opt.warmupHandshakes(), TLS_WARMUP_BUDGET, handshakeLoops);
        warmAuthCache(opt.warmupHandshakes() > 0 ? 20_000 : 0); // measured: the first 5000 inserts average 39 us, from 15000 on 3.3 us (C2)
        // The sink writes the cache on the handshake event loops: give each its Chronicle per-thread
        // context now (first access on a thread cost the first pair's install milliseconds).
        for (io.netty.util.concurrent.EventExecutor loop : handshakeLoops) {
            loop.submit(() -> warmAuthCache(16)).get(10, TimeUnit.SECONDS);
        }
        long tlsMs = (System.nanoTime() - w0) / 1_000_000;
        String sealed;
        try {
            io.xdpmesh.dataplane.session.AeadWarmup.Result r = aead.get(AEAD_WARMUP_BUDGET.toSeconds() + 10, TimeUnit.SECONDS);
            sealed = r.toString();
            if (!r.allocationFree() && opt.warmupHandshakes() >= 1000) {
                LOG.log(Level.WARNING, "the cipher warm-up ended before C2 compiled it: the first packets will be slow"
                        + " and allocate (" + r + ")");
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.log(Level.WARNING, "AEAD warm-up failed: " + e);
            sealed = "failed";
        }
        LOG.log(Level.INFO, "warm-up: " + warm + " TLS handshakes in " + tlsMs + " ms; cipher: " + sealed + ", "
                + (System.nanoTime() - w0) / 1_000_000 + " ms in all");
        indexes = new IndexRegistry();
        keeper = new SessionKeeper(() -> view, cache, dataplane.commands(), counters, opt.rekeyAfter(), opt.renewLead(),
                opt.deadPeer(), n -> new InetSocketAddress(view.node(n).map(NodeSpec::address).orElseThrow(), listen.getPort()));
        sink = new DataplaneSessionSink(() -> view, cache, dataplane.commands(), indexes, keeper,
                (r, installed) -> {
                    Long t0 = requestedAt.remove(r);
                    if (t0 != null && installed) {
                        LOG.log(Level.DEBUG, () -> "session for " + r + " installed " + (System.nanoTime() - t0) / 1000 + " us after the request");
                    }
                });
        SpiffeId nodeId = SpiffeId.parse("spiffe://" + cluster.trustDomain() + "/xdpmesh/node/" + opt.node());
        HandshakeConfig hc = HandshakeConfig.defaults(listen.getAddress(), listen.getPort());
        service = new HandshakeService(hc, store, (id, addr) -> view.placedOn(id, addr),
                store.current(nodeId).isPresent() ? nodeId : null, indexes, sink, hsCounters, Aeads.FACTORY, handshakeLoops,
                dataplane.handshakes());
        keeper.service(service);
        pump = new AuthRequestPump(this::drainRequests, service, 100_000);

        clusterSource.watch(this::clusterChanged, e -> {
            counters.clusterErrors.increment();
            LOG.log(Level.WARNING, "cluster file change ignored: " + e.getMessage());
        });
        status = new StatusWriter(StateDir.status(opt.stateDir()));
        writeStatus("running");
        timer.scheduleWithFixedDelay(guard(keeper::renew), 1, 1, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(guard(keeper::collect), 5, 5, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(guard(() -> indexes.sweep(System.nanoTime())), 10, 10, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(guard(() -> writeStatus("running")), 2, 2, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(guard(this::prepareSpares), 0, 2, TimeUnit.SECONDS);
        if (DataplaneSessionSink.tracing()) {
            timer.scheduleWithFixedDelay(guard(sink::logTraces), 1, 1, TimeUnit.SECONDS);
        }
        LOG.log(Level.INFO, "xdpmesh agent for node " + opt.node() + " up: interfaces " + dataplane.portStatus()
                + ", handshake on " + listen + ", crypto " + CryptoProviders.status() + ", " + svids.describe());
    }

    /**
     * Writes, reads and removes throw-away auth-cache entries (keys no real pair hashes to), so the
     * first session's cache write does not run Chronicle Map's code cold.
     */
    private void warmAuthCache(int rounds) {
        AuthKey k = new AuthKey();
        AuthEntry e = new AuthEntry();
        long node = IdentityHash.of("xdpmesh-warmup.invalid/node");
        for (int i = 0; i < rounds; i++) {
            k.set(IdentityHash.of("xdpmesh-warmup.invalid/l" + (i & 15)), IdentityHash.of("xdpmesh-warmup.invalid/r"), node,
                    AuthType.SPIFFE_ENCRYPT);
            cache.put(k, e.set(0, 0, AuthEntry.STATE_FAILED, 0, 0));
            cache.get(k, e);
            cache.remove(k);
        }
    }

    /** A spare connection to every other node's agent, so no first pair waits for a TCP connect. */
    private void prepareSpares() {
        ClusterView v = view;
        for (NodeSpec n : v.nodes()) {
            if (!n.name().equals(opt.node())) {
                service.prepare(new InetSocketAddress(n.address(), listen.getPort()));
            }
        }
    }

    /** Dataplane requests (names) into the handshake service's requests (identities, peer agent). */
    private int drainRequests(java.util.function.Consumer<AuthRequest> handler, int limit, long maxWaitNanos) {
        return dataplane.authRequests().pollOrWait(r -> {
            ClusterView v = view;
            NodeSpec peer = v.node(r.remoteNode()).orElse(null);
            IdentityPair pair;
            try {
                pair = new IdentityPair(SpiffeId.parse(r.localId()), SpiffeId.parse(r.remoteId()));
            } catch (RuntimeException e) {
                pair = null;
            }
            if (peer == null || pair == null) {
                counters.requestsDropped.increment();
                dataplane.commands().failPair(r.localId(), r.remoteId(), r.remoteNode(), FailReason.FAILED);
                return;
            }
            AuthRequest req = new AuthRequest(pair, new InetSocketAddress(peer.address(), listen.getPort()));
            long picked = System.nanoTime();
            requestedAt.putIfAbsent(req, picked);
            if (DataplaneSessionSink.tracing()) {
                service.authenticate(req, HandshakeTrace.initiator(r.heldAtNanos(), picked));
            } else {
                handler.accept(req);
            }
        }, limit, maxWaitNanos);
    }

    private void clusterChanged(ClusterConfig c) {
        ClusterView next;
        try {
            next = new ClusterView(c, opt.node());
        } catch (RuntimeException e) {
            counters.clusterErrors.increment();
            LOG.log(Level.WARNING, "cluster file change ignored: " + e.getMessage());
            return;
        }
        view = next;
        // proxy ARP/NDP first, so a new pod interface answers its pod as soon as it is served
        HostSetup.podInterfaces(c.workloadsOn(opt.node()).stream().map(WorkloadSpec::hostInterface).distinct().toList());
        // new pod interfaces are attached and handed to the running thread, gone ones let go of
        if (!dataplane.updateCluster(c)) {
            counters.clusterErrors.increment();
            LOG.log(Level.WARNING, "cluster update not applied by the dataplane: " + dataplane.lastError());
            return;
        }
        counters.clusterUpdates.increment();
        LOG.log(Level.INFO, "cluster file changed: " + c.workloads().size() + " workloads, " + c.nodes().size() + " nodes");
    }

    private void writeStatus(String state) {
        try {
            status.write(new StatusWriter.Inputs(opt.node(), opt.clusterFile(), view, dataplane, store, svids.describe(),
                    listen, keeper, state));
        } catch (Exception e) {
            LOG.log(Level.WARNING, "cannot write the status file: " + e);
        }
    }

    private Runnable guard(Runnable r) {
        return () -> {
            try {
                if (!closed) {
                    r.run();
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "agent timer task failed", e);
            }
        };
    }

    public Dataplane dataplane() { return dataplane; }
    public HandshakeService handshakes() { return service; }
    public InetSocketAddress listenAddress() { return listen; }

    /** Stops; detach=false leaves the programs pinned (fail closed), true removes them. */
    public synchronized void close(boolean detach) {
        if (closed) {
            return;
        }
        closed = true;
        timer.shutdownNow();
        if (pump != null) {
            pump.close();
        }
        if (service != null) {
            service.close();
        }
        if (handshakeLoops != null) {
            handshakeLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (svids != null) {
            svids.close();
        }
        if (clusterSource != null) {
            clusterSource.close();
        }
        if (status != null && dataplane != null) {
            writeStatus("stopped");
        }
        if (dataplane != null) {
            dataplane.close(detach);
        }
        if (cache != null) {
            cache.close();
        }
        LOG.log(Level.INFO, "xdpmesh agent for node " + opt.node() + " stopped"
                + (detach ? "; programs detached" : "; XDP programs left attached and pinned (pods fail closed)"));
    }

    @Override
    public void close() {
        close(false);
    }
}
