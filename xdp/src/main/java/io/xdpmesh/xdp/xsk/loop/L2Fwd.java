package io.xdpmesh.xdp.xsk.loop;

import io.xdpmesh.xdp.sys.XdpAbi;
import io.xdpmesh.xdp.xsk.FrameStack;
import io.xdpmesh.xdp.xsk.RxRing;
import io.xdpmesh.xdp.xsk.TxRing;
import io.xdpmesh.xdp.xsk.XskSocket;

/**
 * xdpsock's l2fwd: every received frame gets its MAC addresses swapped and goes back out of the
 * same socket, in place (no copy). Descriptor chains (XDP_PKT_CONTD) are forwarded as chains,
 * the swap applied to the first fragment; a batch always holds whole chains.
 */
public final class L2Fwd extends Forwarder {
    private final XskSocket socket;
    private final FrameStack frames;
    private final long base;

    public L2Fwd(XskSocket socket, FrameStack frames, int batch) {
        super(batch);
        this.socket = socket;
        this.frames = frames;
        this.base = socket.umem().address();
        recycle(socket, frames); // fill ring primed before the first frame can arrive
    }

    @Override
    public int doWork() {
        RxRing rx = socket.rx();
        TxRing tx = socket.tx();
        int n = take(rx, tx);
        if (n > 0) {
            int r = rx.peekedStart();
            int t = tx.reservedStart();
            int first = 0;
            for (int i = 0; i < n; i++) {
                long addr = rx.addr(r + i);
                int len = rx.len(r + i);
                int contd = rx.options(r + i) & XdpAbi.XDP_PKT_CONTD;
                if (i == first) {
                    Frames.swapMacs(base + addr);
                }
                if (contd == 0) {
                    received(i - first + 1);
                    txPackets++;
                    first = i + 1;
                }
                rxBytes += len;
                tx.desc(t + i, addr, len, contd);
            }
            tx.submit(n);
            rx.release(n);
        }
        kickTx(socket);
        recycle(socket, frames);
        return n;
    }

    @Override
    public String roleName() {
        return "xsk-l2fwd";
    }
}
