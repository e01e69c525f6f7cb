package io.xdpmesh.xdp.xsk.loop;

import org.agrona.concurrent.Agent;

import io.xdpmesh.xdp.xsk.FillRing;
import io.xdpmesh.xdp.xsk.FrameStack;
import io.xdpmesh.xdp.xsk.RxRing;
import io.xdpmesh.xdp.xsk.TxRing;
import io.xdpmesh.xdp.xsk.XskSocket;

/**
 * Shared duty-cycle plumbing for the loops: counters, frame recycling between completion,
 * the free-frame stack and the fill ring, and wake-ups only when the kernel asks.
 */
public abstract class Forwarder implements Agent {
    protected final int batch;
    protected long rxPackets;
    protected long rxBytes;
    protected long txPackets;
    protected long dropped;
    protected long kicks;
    /** Packets that arrived as descriptor chains (XDP_USE_SG), and the longest chain seen. */
    protected long chains;
    protected int longestChain;

    protected Forwarder(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1");
        }
        this.batch = batch;
    }

    /** One duty-cycle iteration; returns the descriptors handled (0: idle). Never throws checked. */
    @Override
    public abstract int doWork();

    /**
     * Peeks whole packets from rx (up to batch descriptors, or one longer chain) and reserves as
     * many TX slots; trims both to a packet boundary when TX has less room, so no chain is ever
     * split. Returns the descriptor count: rx is at peekedStart(), tx at reservedStart().
     */
    protected final int take(RxRing rx, TxRing tx) {
        int n = rx.peekPackets(batch);
        if (n == 0) {
            return 0;
        }
        int t = tx.reserveUpTo(n);
        int keep = t == n ? n : rx.packetBoundary(rx.peekedStart(), t);
        if (keep < t) {
            tx.cancel(t - keep);
        }
        if (keep < n) {
            rx.cancel(n - keep);
        }
        return keep;
    }

    /** Counts one received packet of descs descriptors. */
    protected final void received(int descs) {
        rxPackets++;
        if (descs > 1) {
            chains++;
            if (descs > longestChain) {
                longestChain = descs;
            }
        }
    }

    /** Completed TX frames back to the stack, then the fill ring topped up from the stack. */
    protected final void recycle(XskSocket s, FrameStack frames) {
        s.completion().drainTo(frames, Integer.MAX_VALUE);
        FillRing fq = s.fill();
        fq.fillFrom(frames, frames.available());
        if (s.rx() != null && fq.needsWakeup()) {
            kicks++;
            s.kickFillAlways();
        }
    }

    /**
     * Kicks only when the TX ring holds descriptors the kernel has not taken yet and the kernel
     * asks for it: on veth need_wakeup is always set, so an idle loop would otherwise make a
     * syscall per iteration.
     */
    protected final void kickTx(XskSocket s) {
        TxRing tx = s.tx();
        if (tx.free(tx.size()) < tx.size() && tx.needsWakeup()) {
            kicks++;
            s.kickTxAlways();
        }
    }

    public final long rxPackets() {
        return rxPackets;
    }

    public final long rxBytes() {
        return rxBytes;
    }

    public final long txPackets() {
        return txPackets;
    }

    /** Frames received but not sent (not for us, or no TX slot). */
    public final long dropped() {
        return dropped;
    }

    /** Packets received as descriptor chains. */
    public final long chains() {
        return chains;
    }

    /** Descriptors in the longest chain received. */
    public final int longestChain() {
        return longestChain;
    }

    /** Wake-up syscalls made. */
    public final long kicks() {
        return kicks;
    }
}
