package io.xdpmesh.control.handshake;

import io.xdpmesh.dataplane.session.ApplyStamp;

/**
 * System.nanoTime() stamps of one pair's way to a session, for the first-packet latency breakdown
 * (logged at FINE by the agent; never touched by the packet path). Both agents of a test run on
 * one host share CLOCK_MONOTONIC, so an initiator's and a responder's traces line up. A stage not
 * reached stays 0. One object per handshake attempt; each stage is written by one thread and read
 * after the attempt completed (the future's completion orders them).
 */
public final class HandshakeTrace {
    /** Initiator stages, in path order. */
    public enum Stage {
        /** the dataplane held the pair's first frame */
        HELD,
        /** the agent took the request off the dataplane's ring */
        PICKED,
        /** the handshake scheduler started the attempt */
        STARTED,
        /** a connected TCP channel is there (a spare, or a connect completed) and TLS begins */
        CONNECTED,
        /** TLS handshake complete, peer verified */
        TLS_DONE,
        /** the peer's ACCEPT (with its index) arrived */
        ACCEPTED,
        /** keys exported, keypair built */
        KEYS,
        /** the install command is in the dataplane's queue */
        QUEUED,
        /** the dataplane applied it (held frames released) */
        APPLIED
    }

    /** Responder stages (its own trace, same clock). */
    public enum RStage { FIRST_BYTE, TLS_DONE, HELLO, QUEUED, ACCEPT_SENT, APPLIED }

    private final long[] t;
    private final ApplyStamp applied = new ApplyStamp();
    private final boolean initiator;

    private HandshakeTrace(boolean initiator) {
        this.initiator = initiator;
        this.t = new long[initiator ? Stage.values().length : RStage.values().length];
    }

    public static HandshakeTrace initiator(long heldAtNanos, long pickedAtNanos) {
        HandshakeTrace h = new HandshakeTrace(true);
        h.t[Stage.HELD.ordinal()] = heldAtNanos;
        h.t[Stage.PICKED.ordinal()] = pickedAtNanos;
        return h;
    }

    public static HandshakeTrace responder() {
        return new HandshakeTrace(false);
    }

    public boolean initiator() {
        return initiator;
    }

    public void mark(Stage s) {
        t[s.ordinal()] = System.nanoTime();
    }

    public void mark(RStage s) {
        t[s.ordinal()] = System.nanoTime();
    }

    /** The install command is in the dataplane's queue (either role). */
    public void queued() {
        t[initiator ? Stage.QUEUED.ordinal() : RStage.QUEUED.ordinal()] = System.nanoTime();
    }

    /** Handed to the dataplane with the install command; it stamps APPLIED. */
    public ApplyStamp applyStamp() {
        return applied;
    }

    public boolean applied() {
        return applied.appliedNanos() != 0;
    }

    /**
     * One line: absolute stamp of the first stage, then microseconds since the previous stage
     * (stage=+us), e.g. {@code held=123456789 picked=+40 started=+12 ...}; -1 for a stage not reached.
     */
    public String line() {
        int last = t.length - 1;
        t[last] = applied.appliedNanos();
        Enum<?>[] names = initiator ? Stage.values() : RStage.values();
        StringBuilder b = new StringBuilder();
        long prev = t[0];
        for (int i = 0; i < t.length; i++) {
            String n = names[i].name().toLowerCase(java.util.Locale.ROOT);
            if (i == 0) {
                b.append(n).append('=').append(t[0]);
            } else if (t[i] == 0 || prev == 0) {
                b.append(' ').append(n).append("=-1");
            } else {
                b.append(' ').append(n).append("=+").append((t[i] - prev) / 1000);
            }
            if (t[i] != 0) {
                prev = t[i];
            }
        }
        if (t[0] != 0 && t[last] != 0) {
            b.append(" total=").append((t[last] - t[0]) / 1000);
        }
        return b.toString();
    }
}
