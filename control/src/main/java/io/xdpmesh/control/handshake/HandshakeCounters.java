package io.xdpmesh.control.handshake;

import io.xdpmesh.dataplane.counters.CounterTypes;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * Handshake counters, as Agrona counters of type {@link CounterTypes#HANDSHAKE}: in the agent's
 * counters file (so {@code xdpmesh stats} shows them) or, standalone, in private memory.
 * {@code handshake.fail.<reason>} counts pairs this node initiated and gave up on;
 * {@code handshake.refused.<reason>} counts inbound connections this node refused.
 */
public final class HandshakeCounters {
    private final AtomicCounter established;
    private final AtomicCounter responded;
    private final AtomicCounter attempts;
    private final AtomicCounter retries;
    private final AtomicCounter deduplicated;
    private final AtomicCounter rekeys;
    private final AtomicCounter tlsVerified;
    private final Map<FailureReason, AtomicCounter> failed = new EnumMap<>(FailureReason.class);
    private final Map<FailureReason, AtomicCounter> refused = new EnumMap<>(FailureReason.class);

    /** Counters in the agent's counters file. Call before other threads use {@code manager}. */
    public HandshakeCounters(CountersManager manager) {
        established = manager.newCounter("handshake.established", CounterTypes.HANDSHAKE);
        responded = manager.newCounter("handshake.responded", CounterTypes.HANDSHAKE);
        attempts = manager.newCounter("handshake.attempts", CounterTypes.HANDSHAKE);
        retries = manager.newCounter("handshake.retries", CounterTypes.HANDSHAKE);
        deduplicated = manager.newCounter("handshake.deduplicated", CounterTypes.HANDSHAKE);
        rekeys = manager.newCounter("handshake.rekeys", CounterTypes.HANDSHAKE);
        tlsVerified = manager.newCounter("handshake.inbound_tls_verified", CounterTypes.HANDSHAKE);
        for (FailureReason r : FailureReason.values()) {
            failed.put(r, manager.newCounter(r.counterLabel(), CounterTypes.HANDSHAKE));
            refused.put(r, manager.newCounter("handshake.refused." + r.label(), CounterTypes.HANDSHAKE));
        }
    }

    /** Standalone counters in private memory. */
    public HandshakeCounters() {
        this(privateManager());
    }

    private static CountersManager privateManager() {
        int n = 64;
        return new CountersManager(
                new UnsafeBuffer(ByteBuffer.allocateDirect(n * CountersReader.METADATA_LENGTH)),
                new UnsafeBuffer(ByteBuffer.allocateDirect(n * CountersReader.COUNTER_LENGTH)));
    }

    void onEstablished() { established.increment(); }
    void onResponded() { responded.increment(); }
    void onAttempt() { attempts.increment(); }
    void onRetry() { retries.increment(); }
    void onDeduplicated() { deduplicated.increment(); }
    void onRekey() { rekeys.increment(); }
    void onTlsVerified() { tlsVerified.increment(); }
    void onFailed(FailureReason r) { failed.get(r).increment(); }
    void onRefused(FailureReason r) { refused.get(r).increment(); }

    public long established() { return established.get(); }
    public long responded() { return responded.get(); }
    public long attempts() { return attempts.get(); }
    public long retries() { return retries.get(); }
    public long deduplicated() { return deduplicated.get(); }
    public long rekeys() { return rekeys.get(); }
    /** Inbound TLS handshakes whose client certificate passed every check. */
    public long inboundTlsVerified() { return tlsVerified.get(); }
    public long failed(FailureReason r) { return failed.get(r).get(); }
    public long refused(FailureReason r) { return refused.get(r).get(); }
}
