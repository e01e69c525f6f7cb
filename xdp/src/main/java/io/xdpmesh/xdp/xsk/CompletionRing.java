package io.xdpmesh.xdp.xsk;

import org.agrona.UnsafeApi;

/** Completion ring: the kernel returns the UMEM addresses of frames it has sent. */
public final class CompletionRing extends ConsumerRing {
    public CompletionRing(RingLayout layout) {
        super(layout);
    }

    public long addr(int index) {
        return UnsafeApi.getLong(descAddr + ((long) (index & mask) << 3));
    }

    /** Returns up to max completed TX frames to frames; returns the count. */
    public int drainTo(FrameStack frames, int max) {
        int n = peek(max);
        if (n == 0) {
            return 0;
        }
        int idx = peekedStart();
        for (int i = 0; i < n; i++) {
            frames.free(addr(idx + i));
        }
        release(n);
        return n;
    }
}
