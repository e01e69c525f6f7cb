package io.xdpmesh.xdp.xsk;

import org.agrona.UnsafeApi;

/** Fill ring: user space gives the kernel UMEM frame addresses to receive into. */
public final class FillRing extends ProducerRing {
    public FillRing(RingLayout layout) {
        super(layout);
    }

    public void addr(int index, long umemAddr) {
        UnsafeApi.putLong(descAddr + ((long) (index & mask) << 3), umemAddr);
    }

    @Override
    protected long entryAddr(int index) {
        return UnsafeApi.getLong(descAddr + ((long) (index & mask) << 3));
    }

    /** Moves up to max free frames from frames into the ring and submits them; returns the count. */
    public int fillFrom(FrameStack frames, int max) {
        int n = reserveUpTo(Math.min(max, frames.available()));
        if (n == 0) {
            return 0;
        }
        int idx = reservedStart();
        for (int i = 0; i < n; i++) {
            addr(idx + i, frames.alloc());
        }
        submit(n);
        return n;
    }
}
