package io.xdpmesh.xdp.xsk;

import org.agrona.UnsafeApi;

/** TX ring: descriptors (UMEM address, length, options) user space wants sent. */
public final class TxRing extends ProducerRing {
    public TxRing(RingLayout layout) {
        super(layout);
    }

    /** Writes one descriptor; options is 0, or XDP_PKT_CONTD on every fragment but the last. */
    public void desc(int index, long umemAddr, int len, int options) {
        long d = descAddr + ((long) (index & mask) << 4);
        UnsafeApi.putLong(d, umemAddr);
        UnsafeApi.putInt(d + 8, len);
        UnsafeApi.putInt(d + 12, options);
    }

    @Override
    protected long entryAddr(int index) {
        return UnsafeApi.getLong(descAddr + ((long) (index & mask) << 4));
    }
}
