package io.xdpmesh.control.handshake;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.svid.x509svid.X509Svid;
import io.xdpmesh.control.identity.IdentityStore;
import io.xdpmesh.control.session.AuthRequest;
import io.xdpmesh.control.session.EstablishedSession;
import io.xdpmesh.control.session.IndexAllocator;
import io.xdpmesh.control.session.SessionSink;
import io.xdpmesh.control.tls.CryptoProviders;
import io.xdpmesh.control.tls.NodeBinding;
import io.xdpmesh.control.tls.TlsSetup;
import io.xdpmesh.crypto.aead.PacketAead;
import io.xdpmesh.dataplane.session.HandshakeActivity;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The mesh handshake service of one node agent: the TLS 1.3 listener (responder) and the
 * initiator for identity pairs the dataplane asks for.
 *
 * <p>{@link #authenticate} is de-duplicated per request (same pair, same peer agent: one
 * handshake, one future). Requests wait in a bounded queue; at most {@code maxConcurrent} run at
 * once and new ones start at a bounded rate (token bucket), so a storm of new pairs cannot
 * overwhelm either agent. Each attempt has a timeout; retriable failures (timeout, connect,
 * peer refused, TLS) are retried with exponential backoff and jitter up to {@code maxAttempts};
 * certificate verdicts are final. Every outcome reaches the {@link SessionSink}: a session to
 * install, or one failure with its reason (counted, and logged with the pair). Scheduling state
 * lives on one thread; the network on Netty's event loops.
 *
 * <p>A rotated local SVID re-authenticates every pair that uses it with a new TLS handshake (the
 * old session stays installed until the new one replaces it, so nothing is dropped); a rotated
 * SVID on the responder side sends REAUTH to its initiators, which do the same.
 */
public final class HandshakeService implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HandshakeService.class.getName());

    private final Parts parts;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final HandshakeServer server;
    private final Connector connector;
    private final ScheduledExecutorService sched = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("xdpmesh-handshake-sched").factory());
    private final Map<AuthRequest, CompletableFuture<EstablishedSession>> inflight = new ConcurrentHashMap<>();
    /** Pairs with an installed session this node initiated (for re-auth on rotation). */
    private final Set<AuthRequest> established = ConcurrentHashMap.newKeySet();
    // Scheduler-thread state:
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private final RateLimiter rate;
    private int active;
    private int maxActiveSeen;
    private boolean dispatchScheduled;
    private volatile boolean closed;

    private static final class Job {
        final AuthRequest request;
        final CompletableFuture<EstablishedSession> result;
        final HandshakeTrace trace;
        boolean newTls;
        int attempts;

        Job(AuthRequest request, CompletableFuture<EstablishedSession> result, boolean newTls, HandshakeTrace trace) {
            this.request = request;
            this.result = result;
            this.newTls = newTls;
            this.trace = trace;
        }
    }

    public HandshakeService(HandshakeConfig config, IdentityStore store, NodeBinding binding, SpiffeId defaultServerIdentity,
                            IndexAllocator indexes, SessionSink sink, HandshakeCounters counters,
                            Function<byte[], ? extends PacketAead> aeads) throws InterruptedException {
        this(config, store, binding, defaultServerIdentity, indexes, sink, counters, aeads, null, new HandshakeActivity());
    }

    /**
     * As above, on {@code sharedGroup}'s event loops when it is not null (the caller shuts it down;
     * see {@link #newEventLoopGroup}), else on two of its own; every attempt and every inbound
     * handshake is counted in {@code activity} while it runs (the dataplane reads it).
     */
    public HandshakeService(HandshakeConfig config, IdentityStore store, NodeBinding binding, SpiffeId defaultServerIdentity,
                            IndexAllocator indexes, SessionSink sink, HandshakeCounters counters,
                            Function<byte[], ? extends PacketAead> aeads, EventLoopGroup sharedGroup,
                            HandshakeActivity activity) throws InterruptedException {
        this.parts = new Parts(store, new TlsSetup(store, binding, defaultServerIdentity), indexes, sink, counters, aeads, config,
                activity);
        this.rate = new RateLimiter(config.ratePerSecond(), config.burst(), System.nanoTime());
        this.ownsGroup = sharedGroup == null;
        this.group = ownsGroup ? newEventLoopGroup() : sharedGroup;
        try {
            this.server = new HandshakeServer(parts, group);
        } catch (RuntimeException | InterruptedException e) {
            if (ownsGroup) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
            throw e;
        }
        this.connector = new Connector(parts, group, this::peerRotated);
        store.addListener(this::localRotated);
    }

    /**
     * The handshake event loops (two threads). An agent makes them before its TLS warm-up and runs
     * the warm-up's services on them too: the warm-up then also initialises the loops' per-thread
     * state (Netty's thread-local caches, allocator magazines, scheduled-task queue), whose first
     * use on fresh threads had deoptimized the warmed event-loop code during the first real pairs.
     */
    public static EventLoopGroup newEventLoopGroup() {
        return new MultiThreadIoEventLoopGroup(2, Thread.ofPlatform().daemon().name("xdpmesh-handshake-io-", 0).factory(),
                NioIoHandler.newFactory());
    }

    /** Authenticates {@code request}'s pair (or joins the handshake already running for it). */
    public CompletableFuture<EstablishedSession> authenticate(AuthRequest request) {
        return submit(request, false, null);
    }

    /** {@link #authenticate} with a latency trace (stamped along the way; may be null). */
    public CompletableFuture<EstablishedSession> authenticate(AuthRequest request, HandshakeTrace trace) {
        return submit(request, false, trace);
    }

    private CompletableFuture<EstablishedSession> submit(AuthRequest request, boolean newTls) {
        return submit(request, newTls, null);
    }

    private CompletableFuture<EstablishedSession> submit(AuthRequest request, boolean newTls, HandshakeTrace trace) {
        CompletableFuture<EstablishedSession> f = new CompletableFuture<>();
        CompletableFuture<EstablishedSession> running = inflight.putIfAbsent(request, f);
        if (running != null) {
            parts.counters().onDeduplicated();
            return running;
        }
        if (closed) {
            finishFailed(new Job(request, f, newTls, null), FailureReason.SHUTDOWN, request + ": service closed");
            return f;
        }
        sched.execute(() -> enqueue(new Job(request, f, newTls, trace), false));
        return f;
    }

    private void enqueue(Job job, boolean retry) {
        if (!retry && queue.size() >= parts.config().maxQueued()) {
            finishFailed(job, FailureReason.OVERLOADED, job.request + ": " + queue.size() + " handshakes already waiting");
            return;
        }
        queue.add(job);
        dispatch();
    }

    private void dispatch() {
        while (active < parts.config().maxConcurrent() && !queue.isEmpty()) {
            long now = System.nanoTime();
            if (!rate.tryTake(now)) {
                if (!dispatchScheduled) {
                    dispatchScheduled = true;
                    sched.schedule(() -> {
                        dispatchScheduled = false;
                        dispatch();
                    }, Math.max(1000, rate.waitNanos(now)), TimeUnit.NANOSECONDS);
                }
                return;
            }
            start(queue.poll());
        }
    }

    private void start(Job job) {
        active++;
        maxActiveSeen = Math.max(maxActiveSeen, active);
        job.attempts++;
        parts.counters().onAttempt();
        if (job.trace != null) {
            job.trace.mark(HandshakeTrace.Stage.STARTED);
        }
        HandshakeActivity.Token busy = parts.activity().begin();
        CompletableFuture<EstablishedSession> a = connector.attempt(job.request, job.newTls, job.trace);
        ScheduledFuture<?> timeout = sched.schedule(() -> {
            a.completeExceptionally(new HandshakeException(FailureReason.TIMEOUT, job.request + ": no session within "
                    + parts.config().attemptTimeout().toMillis() + " ms (attempt " + job.attempts + ")"));
        }, parts.config().attemptTimeout().toNanos(), TimeUnit.NANOSECONDS);
        a.whenComplete((s, t) -> {
            busy.end();
            if (s != null) {
                // The held first packets wait for this: install on the thread that completed the
                // attempt (the connection's event loop) rather than after a hop to the scheduler.
                established.add(job.request); // before the sink: a rotation right after must see the pair
                try {
                    parts.sink().install(s, job.trace);
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "session install failed: " + job.request, e);
                } finally {
                    parts.indexes().release(s.keypair().localIndex());
                }
            }
            sched.execute(() -> {
                timeout.cancel(false);
                active--;
                attemptDone(job, s, t);
                dispatch();
            });
        });
    }

    private void attemptDone(Job job, EstablishedSession s, Throwable t) {
        if (s != null) {
            parts.counters().onEstablished();
            inflight.remove(job.request, job.result);
            job.result.complete(s);
            return;
        }
        FailureReason reason = Failures.reasonOf(t);
        String detail = Failures.detailOf(t);
        if (reason.retriable() && job.attempts < parts.config().maxAttempts() && !closed) {
            parts.counters().onRetry();
            long base = parts.config().backoff().toNanos() << (job.attempts - 1);
            long delay = base + ThreadLocalRandom.current().nextLong(base / 2 + 1);
            LOG.log(Level.DEBUG, "handshake attempt failed, retrying in " + delay / 1000 + " us: " + detail);
            job.newTls = true;
            sched.schedule(() -> enqueue(job, true), delay, TimeUnit.NANOSECONDS);
            return;
        }
        finishFailed(job, reason, detail);
    }

    private void finishFailed(Job job, FailureReason reason, String detail) {
        parts.counters().onFailed(reason);
        LOG.log(Level.WARNING, "handshake failed: " + job.request + ": " + reason.label() + " (" + detail + ")");
        established.remove(job.request);
        try {
            parts.sink().failed(job.request, reason, detail);
        } finally {
            inflight.remove(job.request, job.result);
            job.result.completeExceptionally(new HandshakeException(reason, detail));
        }
    }

    private void localRotated(SpiffeId id, X509Svid previous, X509Svid current) {
        if (previous == null) {
            return;
        }
        server.rotated(id);
        for (AuthRequest r : established) {
            if (r.pair().local().equals(id)) {
                submit(r, true);
            }
        }
    }

    private void peerRotated(AuthRequest r) {
        submit(r, true);
    }

    /** Keeps a pre-connected spare TCP connection to the peer agent at {@code peer} (see Connector). */
    public void prepare(InetSocketAddress peer) {
        if (!closed) {
            connector.prepare(peer);
        }
    }

    /** True when a connected spare to the peer agent at {@code peer} waits (status, tests). */
    public boolean spareReady(InetSocketAddress peer) {
        return connector.spareReady(peer);
    }

    /** Authenticates the pair again with a new TLS handshake (rotation, or measuring handshakes). */
    public CompletableFuture<EstablishedSession> reauthenticate(AuthRequest request) {
        return submit(request, true);
    }

    /** Rekeys the pair (epoch + 1 on its open connection, or a new handshake if it has none). */
    public CompletableFuture<EstablishedSession> rekey(AuthRequest request) {
        return submit(request, false);
    }

    public InetSocketAddress address() { return server.address(); }
    public HandshakeCounters counters() { return parts.counters(); }
    public CryptoProviders.Status providers() { return CryptoProviders.status(); }
    public TlsSetup tls() { return parts.tls(); }
    public int inflight() { return inflight.size(); }
    public long sparesUsed() { return connector.sparesUsed(); }
    public int openPairConnections() { return connector.openPairConnections(); }
    public int openInboundConnections() { return server.openConnections(); }

    /** The highest number of handshakes that ran at once (for tests of the bound). */
    public int maxConcurrentSeen() {
        try {
            return sched.submit(() -> maxActiveSeen).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        closed = true;
        sched.execute(() -> {
            for (Job j; (j = queue.poll()) != null; ) {
                finishFailed(j, FailureReason.SHUTDOWN, j.request + ": service closed");
            }
        });
        server.close();
        connector.close();
        if (ownsGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        sched.shutdown();
        try {
            sched.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
