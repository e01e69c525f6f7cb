package io.xdpmesh.dataplane.session;

/**
 * When the dataplane thread applied one command (System.nanoTime), for the agent's first-packet
 * latency trace. Written once by the dataplane thread, read later by the agent; 0 until applied.
 */
public final class ApplyStamp {
    private volatile long appliedNanos;

    public long appliedNanos() {
        return appliedNanos;
    }

    void applied(long nanos) {
        appliedNanos = nanos;
    }
}
