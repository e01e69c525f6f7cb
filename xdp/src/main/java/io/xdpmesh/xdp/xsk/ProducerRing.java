package io.xdpmesh.xdp.xsk;

import org.agrona.UnsafeApi;

/** The user-space-produces side (fill and TX rings): reserve slots, write them, submit. */
public abstract sealed class ProducerRing extends XskRing permits FillRing, TxRing {
    private int cachedProd;
    /** Consumer index plus size, so that free = cachedCons - cachedProd. */
    private int cachedCons;
    private int published;
    private int reservedStart;

    protected ProducerRing(RingLayout layout) {
        super(layout);
        this.published = UnsafeApi.getIntAcquire(null, producerAddr);
        this.cachedProd = published;
        this.cachedCons = UnsafeApi.getIntAcquire(null, consumerAddr) + size;
    }

    /**
     * Free slots, at least {@code wanted} if that many are free; reads the shared consumer index
     * only when the cached view has fewer than {@code wanted}.
     */
    public final int free(int wanted) {
        int free = cachedCons - cachedProd;
        if (free >= wanted) {
            return free;
        }
        cachedCons = UnsafeApi.getIntAcquire(null, consumerAddr) + size;
        return cachedCons - cachedProd;
    }

    /** Reserves exactly n slots (returns n) or none (returns 0); the first is {@link #reservedStart()}. */
    public final int reserve(int n) {
        if (free(n) < n) {
            return 0;
        }
        reservedStart = cachedProd;
        cachedProd += n;
        return n;
    }

    /** Reserves up to max slots, as many as are free; returns the count (may be 0). */
    public final int reserveUpTo(int max) {
        int n = Math.min(free(max), max);
        if (n <= 0) {
            return 0;
        }
        reservedStart = cachedProd;
        cachedProd += n;
        return n;
    }

    /** Index of the first slot of the last successful reserve. */
    public final int reservedStart() {
        return reservedStart;
    }

    /** Gives back the last n reserved, not yet submitted, slots. */
    public final void cancel(int n) {
        cachedProd -= n;
    }

    /** Publishes the next n reserved slots to the kernel (release store of the producer index). */
    public final void submit(int n) {
        published += n;
        UnsafeApi.putIntRelease(null, producerAddr, published);
    }

    /** The UMEM address held by slot {@code index} (a fill entry, or a TX descriptor's address). */
    protected abstract long entryAddr(int index);

    /**
     * Returns to {@code frames} every frame submitted to the kernel that it has not consumed yet
     * (between the shared consumer index and our producer index), and returns how many. Only for a
     * ring the kernel will not read again (its socket unbound or no longer redirected to, before it
     * is closed): the slots are not reusable afterwards.
     */
    public final int reclaimUnconsumed(FrameStack frames) {
        int cons = UnsafeApi.getIntAcquire(null, consumerAddr);
        int n = published - cons;
        for (int i = 0; i < n; i++) {
            frames.free(entryAddr(cons + i));
        }
        cachedCons = published + size; // nothing outstanding any more, as far as we are concerned
        return n;
    }

    /** Slots reserved or submitted that the kernel has not consumed yet, as of the cached view. */
    public final int outstanding() {
        return size - (cachedCons - cachedProd);
    }
}
