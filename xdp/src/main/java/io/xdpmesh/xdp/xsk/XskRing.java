package io.xdpmesh.xdp.xsk;

import org.agrona.UnsafeApi;

import io.xdpmesh.xdp.sys.XdpAbi;

/**
 * One AF_XDP ring over shared memory: a 32-bit producer index, a 32-bit consumer index, a flags
 * word and a power-of-two array of entries. Indexes run freely and wrap at 2^32; slot = index &
 * mask. As in libxdp's xsk.h each side caches the other side's index and reads the shared one
 * (with acquire ordering) only when the cache says the ring is full/empty, and publishes its own
 * index with release ordering.
 */
public abstract sealed class XskRing permits ProducerRing, ConsumerRing {
    protected final long producerAddr;
    protected final long consumerAddr;
    protected final long flagsAddr;
    protected final long descAddr;
    protected final int size;
    protected final int mask;

    protected XskRing(RingLayout layout) {
        if (Integer.bitCount(layout.size()) != 1) {
            throw new IllegalArgumentException("ring size must be a power of two: " + layout.size());
        }
        this.producerAddr = layout.base() + layout.producerOffset();
        this.consumerAddr = layout.base() + layout.consumerOffset();
        this.flagsAddr = layout.base() + layout.flagsOffset();
        this.descAddr = layout.base() + layout.descOffset();
        this.size = layout.size();
        this.mask = layout.size() - 1;
    }

    public final int size() {
        return size;
    }

    /** True when the kernel asks for a wake-up syscall (XDP_RING_NEED_WAKEUP in the ring's flags). */
    public final boolean needsWakeup() {
        return (UnsafeApi.getIntVolatile(null, flagsAddr) & XdpAbi.XDP_RING_NEED_WAKEUP) != 0;
    }

    /** The shared producer index as the kernel sees it (diagnostics, tests). */
    public final int sharedProducer() {
        return UnsafeApi.getIntAcquire(null, producerAddr);
    }

    /** The shared consumer index as the kernel sees it (diagnostics, tests). */
    public final int sharedConsumer() {
        return UnsafeApi.getIntAcquire(null, consumerAddr);
    }
}
