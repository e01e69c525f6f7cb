package io.xdpmesh.xdp.xsk.loop;

import io.xdpmesh.xdp.sys.XdpAbi;
import io.xdpmesh.xdp.xsk.FrameStack;
import io.xdpmesh.xdp.xsk.RxRing;
import io.xdpmesh.xdp.xsk.TxRing;
import io.xdpmesh.xdp.xsk.XskSocket;

/**
 * Two sockets on one UMEM (XDP_SHARED_UMEM), frames forwarded unchanged between them without a
 * copy: what a frame received on one side needs is only a descriptor on the other side's TX ring.
 * Descriptor chains move whole. The shape of pod-interface-to-uplink forwarding.
 */
public final class Wire extends Forwarder {
    private final XskSocket a;
    private final XskSocket b;
    private final FrameStack frames;

    public Wire(XskSocket a, XskSocket b, FrameStack frames, int batch) {
        super(batch);
        if (a.umem() != b.umem()) {
            throw new IllegalArgumentException("both sockets must share one UMEM");
        }
        this.a = a;
        this.b = b;
        this.frames = frames;
        recycle(a, frames); // fill rings primed before the first frame can arrive
        recycle(b, frames);
    }

    @Override
    public int doWork() {
        int n = move(a, b) + move(b, a);
        kickTx(a);
        kickTx(b);
        recycle(a, frames);
        recycle(b, frames);
        return n;
    }

    private int move(XskSocket from, XskSocket to) {
        RxRing rx = from.rx();
        TxRing tx = to.tx();
        int n = take(rx, tx);
        if (n > 0) {
            int r = rx.peekedStart();
            int t = tx.reservedStart();
            int first = 0;
            for (int i = 0; i < n; i++) {
                int len = rx.len(r + i);
                int contd = rx.options(r + i) & XdpAbi.XDP_PKT_CONTD;
                rxBytes += len;
                if (contd == 0) {
                    received(i - first + 1);
                    txPackets++;
                    first = i + 1;
                }
                tx.desc(t + i, rx.addr(r + i), len, contd);
            }
            tx.submit(n);
            rx.release(n);
        }
        return n;
    }

    @Override
    public String roleName() {
        return "xsk-wire";
    }
}
