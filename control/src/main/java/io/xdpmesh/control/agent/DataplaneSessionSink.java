package io.xdpmesh.control.agent;

import io.xdpmesh.control.handshake.FailureReason;
import io.xdpmesh.control.handshake.HandshakeTrace;
import io.xdpmesh.control.session.AuthRequest;
import io.xdpmesh.control.session.EstablishedSession;
import io.xdpmesh.control.session.SessionSink;
import io.xdpmesh.dataplane.authcache.AuthCache;
import io.xdpmesh.dataplane.authcache.AuthEntry;
import io.xdpmesh.dataplane.authcache.AuthKey;
import io.xdpmesh.dataplane.authcache.AuthType;
import io.xdpmesh.dataplane.authcache.IdentityHash;
import io.xdpmesh.dataplane.cluster.NodeSpec;
import io.xdpmesh.dataplane.session.DataplaneCommands;
import io.xdpmesh.dataplane.session.FailReason;
import java.lang.System.Logger.Level;
import java.util.function.Supplier;

/**
 * Handshake outcomes into the dataplane, in the order the dataplane needs them: the auth-cache
 * entry first (ESTABLISHED, expiry; the dataplane uses a session only while it is valid), then the
 * keypair through {@code installSession}, whose application releases the pair's held frames. A
 * failure writes a FAILED entry (unless a valid session is still in place, e.g. a failed rekey)
 * and {@code failPair}s the held frames, which the dataplane drops and counts.
 */
final class DataplaneSessionSink implements SessionSink {
    private static final System.Logger LOG = System.getLogger(DataplaneSessionSink.class.getName());
    private static final int OFFER_TRIES = 200;

    private final Supplier<ClusterView> view;
    private final AuthCache cache;
    private final DataplaneCommands commands;
    private final IndexRegistry indexes;
    private final SessionKeeper keeper;
    private final java.util.function.BiConsumer<AuthRequest, Boolean> done;

    DataplaneSessionSink(Supplier<ClusterView> view, AuthCache cache, DataplaneCommands commands, IndexRegistry indexes,
            SessionKeeper keeper, java.util.function.BiConsumer<AuthRequest, Boolean> done) {
        this.done = done;
        this.view = view;
        this.cache = cache;
        this.commands = commands;
        this.indexes = indexes;
        this.keeper = keeper;
    }

    @Override
    public void install(EstablishedSession s) {
        install(s, null);
    }

    @Override
    public void install(EstablishedSession s, HandshakeTrace trace) {
        ClusterView v = view.get();
        String local = s.pair().local().toString();
        String remote = s.pair().remote().toString();
        NodeSpec node = v.nodeByAddress(s.peerAgent().getAddress()).orElse(null);
        if (node == null) { // node binding already checked this; the cluster changed meanwhile
            LOG.log(Level.WARNING, "session " + s.pair() + " from " + s.peerAgent() + " not installed: no such node now");
            s.keypair().close();
            return;
        }
        AuthType type = v.authType(local, remote);
        if (type == null) {
            // The peer's policy asked for it and ours does not: keep it (fail closed: sealed), GC decides later.
            type = AuthType.SPIFFE_ENCRYPT;
        }
        long now = System.currentTimeMillis();
        AuthKey key = new AuthKey().set(IdentityHash.of(local), IdentityHash.of(remote), IdentityHash.of(node.name()), type);
        cache.put(key, new AuthEntry().set(s.expiresAt().toEpochMilli(), s.keypair().localIndex(),
                AuthEntry.STATE_ESTABLISHED, 0, now));
        indexes.installed(s.keypair());
        if (!offer(new DataplaneCommands.InstallSession(local, remote, node.name(), s.keypair(), s.expiresAt().toEpochMilli(),
                trace == null ? null : trace.applyStamp()))) {
            LOG.log(Level.ERROR, "dataplane command queue full: session " + s.pair() + " dropped");
            s.keypair().close();
            return;
        }
        if (trace != null && tracing()) {
            trace.queued();
            traces.add(new Traced(s.pair().toString(), trace, System.nanoTime()));
        }
        keeper.installed(s, node.name(), type);
        if (s.initiator()) {
            done.accept(new AuthRequest(s.pair(), s.peerAgent()), true);
        }
    }

    @Override
    public void failed(AuthRequest request, FailureReason reason, String detail) {
        ClusterView v = view.get();
        String local = request.pair().local().toString();
        String remote = request.pair().remote().toString();
        NodeSpec node = v.nodeByAddress(request.peerAgent().getAddress()).orElse(null);
        if (node == null) {
            return;
        }
        AuthType type = v.authType(local, remote);
        long now = System.currentTimeMillis();
        if (type != null) {
            AuthKey key = new AuthKey().set(IdentityHash.of(local), IdentityHash.of(remote), IdentityHash.of(node.name()), type);
            AuthEntry old = new AuthEntry();
            if (!(cache.get(key, old) && old.validAt(now))) {
                cache.put(key, new AuthEntry().set(now, 0, AuthEntry.STATE_FAILED, reason.ordinal(), now));
            }
        }
        keeper.failed(request);
        done.accept(request, false);
        FailReason why = reason == FailureReason.TIMEOUT ? FailReason.TIMEOUT : FailReason.FAILED;
        if (!offer(new DataplaneCommands.FailPair(local, remote, node.name(), why))) {
            LOG.log(Level.WARNING, "dataplane command queue full: the held frames of " + request.pair()
                    + " wait for the dataplane's pending timeout");
        }
    }

    private record Traced(String pair, HandshakeTrace trace, long queuedAt) {}

    /** Traces waiting for the dataplane's APPLIED stamp; bounded (only filled while FINE is on). */
    private final java.util.concurrent.ConcurrentLinkedQueue<Traced> traces = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** True when the agent logs latency traces (FINE); callers skip making traces otherwise. */
    static boolean tracing() {
        return LOG.isLoggable(Level.DEBUG);
    }

    /** Logs (FINE) the traces the dataplane has applied, and those it never will (after 5 s). Timer thread. */
    void logTraces() {
        long now = System.nanoTime();
        for (java.util.Iterator<Traced> it = traces.iterator(); it.hasNext(); ) {
            Traced t = it.next();
            if (t.trace().applied() || now - t.queuedAt() > 5_000_000_000L) {
                it.remove();
                LOG.log(Level.DEBUG, "trace " + (t.trace().initiator() ? "initiator " : "responder ") + t.pair() + ": "
                        + t.trace().line());
            }
        }
    }

    /** The queue is bounded; the dataplane drains it every cycle, so a short bounded wait is enough. */
    private boolean offer(DataplaneCommands.Command c) {
        for (int i = 0; i < OFFER_TRIES; i++) {
            if (commands.offer(c)) {
                return true;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
