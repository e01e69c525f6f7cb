package io.xdpmesh.control.agent;

import io.xdpmesh.control.handshake.HandshakeService;
import io.xdpmesh.control.session.AuthRequest;
import io.xdpmesh.control.session.EstablishedSession;
import io.xdpmesh.crypto.transport.Keypair;
import io.xdpmesh.crypto.transport.WireGuardConstants;
import io.xdpmesh.dataplane.authcache.AuthCache;
import io.xdpmesh.dataplane.authcache.AuthEntry;
import io.xdpmesh.dataplane.authcache.AuthType;
import io.xdpmesh.dataplane.session.DataplaneCommands;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Keeps sessions alive and the auth cache clean, on the agent's timer (never the dataplane thread).
 *
 * <p>Renewal: for every pair this node initiated, the next keypair is made {@code lead} before the
 * current one would stop being usable: before REKEY_AFTER_TIME (a rekey, epoch + 1 on the open
 * TLS connection) or before the pair's expiry when a leaf NotAfter bounds it (a full re-auth,
 * which picks up rotated SVIDs). The old keypair stays installed until the new one replaces it,
 * so nothing is dropped. Pairs that carried no packet since their last keypair are left to expire.
 *
 * <p>GC: auth-cache entries go when expired, when a workload is gone (or moved), when policy no
 * longer asks for a session for the pair, and failed entries after a while; the dataplane is told
 * to forget the session too.
 */
final class SessionKeeper {
    private static final System.Logger LOG = System.getLogger(SessionKeeper.class.getName());
    static final Duration FAILED_KEPT = Duration.ofSeconds(60);

    /** One live session of this node, for renewal (initiated) and for `xdpmesh status`. */
    record Tracked(AuthRequest request, String node, AuthType type, boolean initiator, long epoch, Keypair keypair,
            long createdNanos, Instant expiresAt, boolean leafBound, Instant installedAt) {}

    private final Map<String, Tracked> sessions = new ConcurrentHashMap<>();
    private final Map<String, Boolean> renewing = new ConcurrentHashMap<>();
    /** Per session: send counter and highest received counter at the last check, and when receive last moved. */
    private final Map<String, long[]> liveness = new ConcurrentHashMap<>();
    private final Supplier<ClusterView> view;
    private final AuthCache cache;
    private final DataplaneCommands commands;
    private final AgentCounters counters;
    private final long rekeyAfterNanos;
    private final long leadNanos;
    private final long deadPeerNanos;
    private final java.util.function.Function<String, java.net.InetSocketAddress> peerAgent;
    private volatile HandshakeService service;

    SessionKeeper(Supplier<ClusterView> view, AuthCache cache, DataplaneCommands commands, AgentCounters counters,
            Duration rekeyAfter, Duration lead, Duration deadPeer,
            java.util.function.Function<String, java.net.InetSocketAddress> peerAgent) {
        this.deadPeerNanos = deadPeer.toNanos();
        this.peerAgent = peerAgent;
        this.view = view;
        this.cache = cache;
        this.commands = commands;
        this.counters = counters;
        this.rekeyAfterNanos = rekeyAfter.toNanos();
        this.leadNanos = lead.toNanos();
    }

    void service(HandshakeService s) {
        this.service = s;
    }

    static String key(String local, String remote, String node) {
        return local + ' ' + remote + ' ' + node;
    }

    void installed(EstablishedSession s, String node, AuthType type) {
        String k = key(s.pair().local().toString(), s.pair().remote().toString(), node);
        Instant rejectCap = Instant.now().plusNanos(WireGuardConstants.REJECT_AFTER_TIME);
        boolean leafBound = s.expiresAt().isBefore(rejectCap.minusSeconds(1));
        // The peer agent's listening address (a responder sees the initiator's ephemeral port).
        java.net.InetSocketAddress peer = s.initiator() ? s.peerAgent() : peerAgent.apply(node);
        sessions.put(k, new Tracked(new AuthRequest(s.pair(), peer), node, type, s.initiator(), s.epoch(),
                s.keypair(), s.keypair().createdNanos(), s.expiresAt(), leafBound, Instant.now()));
        renewing.remove(k);
        liveness.put(k, new long[] {0, 0, System.nanoTime()});
    }

    void failed(AuthRequest r) {
        sessions.values().stream().filter(t -> t.request().equals(r))
                .forEach(t -> renewing.remove(key(t.request().pair().local().toString(), t.request().pair().remote().toString(), t.node())));
    }

    /** Renews what is due; called every second or so. */
    void renew() {
        HandshakeService svc = service;
        if (svc == null) {
            return;
        }
        long now = System.nanoTime();
        Instant wall = Instant.now();
        for (Map.Entry<String, Tracked> e : sessions.entrySet()) {
            Tracked t = e.getValue();
            if (renewing.containsKey(e.getKey())) {
                continue;
            }
            if (peerSilent(e.getKey(), t, now)) {
                // WireGuard's rule: data sent, nothing received for a while -> new handshake. The
                // peer agent may have restarted and lost its keys; a new TLS handshake re-creates them.
                renewing.put(e.getKey(), Boolean.TRUE);
                counters.reauthsStarted.increment();
                LOG.log(Level.INFO, "peer silent for " + deadPeerNanos / 1_000_000 + " ms while we send: re-authenticating "
                        + t.request());
                svc.reauthenticate(t.request()).whenComplete((s, x) -> renewing.remove(e.getKey()));
                continue;
            }
            if (!t.initiator()) {
                continue;
            }
            long untilExpiry = Duration.between(wall, t.expiresAt()).toNanos();
            boolean dueByAge = now - t.createdNanos() >= rekeyAfterNanos - leadNanos;
            boolean dueByExpiry = untilExpiry <= leadNanos;
            if (!dueByAge && !dueByExpiry) {
                continue;
            }
            if (untilExpiry <= 0) {
                continue; // too late: GC removes it, the next packet starts a new handshake
            }
            Keypair kp = t.keypair();
            if (kp.sendCounter() == 0 && kp.replayWindow().highest() == 0) {
                continue; // idle pair: let it expire
            }
            renewing.put(e.getKey(), Boolean.TRUE);
            if (t.leafBound() && dueByExpiry) {
                counters.reauthsStarted.increment();
                LOG.log(Level.INFO, "re-authenticating " + t.request() + " (a leaf expires at " + t.expiresAt() + ")");
                svc.reauthenticate(t.request()).whenComplete((s, x) -> renewing.remove(e.getKey()));
            } else {
                counters.rekeysStarted.increment();
                LOG.log(Level.DEBUG, "rekeying " + t.request() + " (epoch " + t.epoch() + ")");
                svc.rekey(t.request()).whenComplete((s, x) -> renewing.remove(e.getKey()));
            }
        }
    }

    /** True when the session sent since the last check but has received nothing for deadPeer. */
    private boolean peerSilent(String key, Tracked t, long now) {
        long[] l = liveness.computeIfAbsent(key, k -> new long[] {0, 0, now});
        Keypair kp = t.keypair();
        long sent = kp.sendCounter();
        long received = kp.replayWindow().highest();
        boolean sending = sent != l[0];
        if (received != l[1]) {
            l[2] = now;
        }
        l[0] = sent;
        l[1] = received;
        if (sending && now - l[2] >= deadPeerNanos) {
            l[2] = now; // once per period
            return true;
        }
        return false;
    }

    /** Removes auth-cache entries nobody needs any more and the dataplane sessions behind them. */
    void collect() {
        ClusterView v = view.get();
        long now = System.currentTimeMillis();
        List<String[]> forget = new ArrayList<>();
        cache.removeIf((k, e) -> {
            String local = v.name(k.localIdentity);
            String remote = v.name(k.remoteIdentity);
            String node = v.name(k.remoteNode);
            String why = null;
            if (local == null || remote == null || node == null || !v.isLocalWorkload(local) || !node.equals(v.nodeOf(remote))) {
                why = "workload gone";
                counters.gcWorkloadGone.increment();
            } else if (v.authType(local, remote) == null || v.authType(local, remote).ordinal() != k.authType) {
                why = "policy no longer requires it";
                counters.gcPolicy.increment();
            } else if (e.state == AuthEntry.STATE_ESTABLISHED && now >= e.expiresAtMillis) {
                why = "expired";
                counters.gcExpired.increment();
            } else if (e.state != AuthEntry.STATE_ESTABLISHED && now - e.updatedAtMillis >= FAILED_KEPT.toMillis()) {
                counters.gcFailed.increment();
                return true;
            }
            if (why == null) {
                return false;
            }
            if (local != null && remote != null && node != null) {
                forget.add(new String[] {local, remote, node, why});
            }
            return true;
        });
        for (String[] f : forget) {
            liveness.remove(key(f[0], f[1], f[2]));
            Tracked t = sessions.remove(key(f[0], f[1], f[2]));
            if (t != null) {
                commands.removeSession(f[0], f[1], f[2]);
            }
            LOG.log(Level.INFO, "auth cache: removed " + f[0] + " -> " + f[1] + " @ " + f[2] + " (" + f[3] + ")");
        }
        // Sessions the cache no longer backs (e.g. the cluster dropped their workloads).
        sessions.entrySet().removeIf(e -> Instant.now().isAfter(e.getValue().expiresAt().plusSeconds(5)));
    }

    List<Tracked> snapshot() {
        List<Tracked> l = new ArrayList<>(sessions.values());
        l.sort(Comparator.comparing((Tracked t) -> t.node()).thenComparing(t -> t.request().pair().toString()));
        return l;
    }
}
