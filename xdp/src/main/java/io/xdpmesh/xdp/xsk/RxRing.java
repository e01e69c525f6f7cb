package io.xdpmesh.xdp.xsk;

import org.agrona.UnsafeApi;

/** RX ring: descriptors of received frames (UMEM address of the data, length, options). */
public final class RxRing extends ConsumerRing {
    public RxRing(RingLayout layout) {
        super(layout);
    }

    public long addr(int index) {
        return UnsafeApi.getLong(descAddr + ((long) (index & mask) << 4));
    }

    public int len(int index) {
        return UnsafeApi.getInt(descAddr + ((long) (index & mask) << 4) + 8);
    }

    /** XDP_PKT_CONTD set: the packet continues in the next descriptor. */
    public int options(int index) {
        return UnsafeApi.getInt(descAddr + ((long) (index & mask) << 4) + 12);
    }
}
