package io.xdpmesh.xdp.xsk;

import org.agrona.UnsafeApi;

import io.xdpmesh.xdp.sys.XdpAbi;

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

    /** True when the descriptor at index is followed by more of the same packet (XDP_PKT_CONTD). */
    public boolean continues(int index) {
        return (options(index) & XdpAbi.XDP_PKT_CONTD) != 0;
    }

    /**
     * Peeks whole packets only: up to max descriptors, cut back to the last packet boundary so a
     * descriptor chain (XDP_USE_SG) is never split between two batches. When the first chain alone
     * is longer than max, peeks that whole chain. Returns the descriptor count, the first at
     * {@link #peekedStart()}; 0 when nothing complete is ready (the kernel publishes whole chains).
     */
    public int peekPackets(int max) {
        int avail = available(Integer.MAX_VALUE);
        if (avail == 0 || max <= 0) {
            return 0;
        }
        int start = cachedCons;
        int n = packetBoundary(start, Math.min(avail, max));
        if (n == 0) {
            n = Math.min(avail, max);
            while (n < avail && continues(start + n - 1)) {
                n++;
            }
            if (continues(start + n - 1)) {
                return 0;
            }
        }
        return peek(n);
    }

    /** Of the n descriptors from start, how many end on a packet boundary (0 if none does). */
    public int packetBoundary(int start, int n) {
        while (n > 0 && continues(start + n - 1)) {
            n--;
        }
        return n;
    }
}
