package io.xdpmesh.xdp.xsk;

import org.agrona.UnsafeApi;

/** The user-space-consumes side (RX and completion rings): peek entries, read them, release. */
public abstract sealed class ConsumerRing extends XskRing permits RxRing, CompletionRing {
    private int cachedProd;
    /** Next entry to peek; subclasses read entries from here. */
    protected int cachedCons;
    private int released;
    private int peekedStart;

    protected ConsumerRing(RingLayout layout) {
        super(layout);
        this.released = UnsafeApi.getIntAcquire(null, consumerAddr);
        this.cachedCons = released;
        this.cachedProd = UnsafeApi.getIntAcquire(null, producerAddr);
    }

    /**
     * Entries ready, capped at max. Reads the shared producer index only when the cached view is
     * empty (as xsk.h does: one shared-cache-line read per drained batch, not per call).
     */
    public final int available(int max) {
        int entries = cachedProd - cachedCons;
        if (entries == 0) {
            cachedProd = UnsafeApi.getIntAcquire(null, producerAddr);
            entries = cachedProd - cachedCons;
        }
        return Math.min(entries, max);
    }

    /** Takes up to max entries; returns the count, the first is {@link #peekedStart()}. */
    public final int peek(int max) {
        int n = available(max);
        if (n > 0) {
            peekedStart = cachedCons;
            cachedCons += n;
        }
        return n;
    }

    public final int peekedStart() {
        return peekedStart;
    }

    /** Puts back the last n peeked, not yet released, entries. */
    public final void cancel(int n) {
        cachedCons -= n;
    }

    /** Hands the next n peeked entries back to the kernel (release store of the consumer index). */
    public final void release(int n) {
        released += n;
        UnsafeApi.putIntRelease(null, consumerAddr, released);
    }
}
