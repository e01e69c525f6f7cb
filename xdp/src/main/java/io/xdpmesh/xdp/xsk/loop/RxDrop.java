package io.xdpmesh.xdp.xsk.loop;

import io.xdpmesh.xdp.xsk.FrameStack;
import io.xdpmesh.xdp.xsk.RxRing;
import io.xdpmesh.xdp.xsk.XskSocket;

/** Receives and drops: every RX frame goes straight back to the fill ring; a chain counts as one packet. */
public final class RxDrop extends Forwarder {
    private final XskSocket socket;
    private final FrameStack frames;
    /** Descriptors of a chain seen so far (a plain peek may end mid-chain: nothing is sent here). */
    private int chainDescs;

    public RxDrop(XskSocket socket, FrameStack frames, int batch) {
        super(batch);
        this.socket = socket;
        this.frames = frames;
        recycle(socket, frames); // fill ring primed before the first frame can arrive
    }

    @Override
    public int doWork() {
        RxRing rx = socket.rx();
        int n = rx.peek(batch);
        if (n > 0) {
            int idx = rx.peekedStart();
            for (int i = 0; i < n; i++) {
                rxBytes += rx.len(idx + i);
                frames.free(rx.addr(idx + i));
                if (rx.continues(idx + i)) {
                    chainDescs++;
                } else {
                    received(chainDescs + 1);
                    chainDescs = 0;
                }
            }
            rx.release(n);
        }
        recycle(socket, frames);
        return n;
    }

    @Override
    public String roleName() {
        return "xsk-rxdrop";
    }
}
