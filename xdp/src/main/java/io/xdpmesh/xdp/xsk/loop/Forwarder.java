package io.xdpmesh.xdp.xsk.loop;

import org.agrona.concurrent.Agent;

import io.xdpmesh.xdp.xsk.FillRing;
import io.xdpmesh.xdp.xsk.FrameStack;
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

    protected Forwarder(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1");
        }
        this.batch = batch;
    }

    /** One duty-cycle iteration; returns the descriptors handled (0: idle). Never throws checked. */
    @Override
    public abstract int doWork();

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

    /** Wake-up syscalls made. */
    public final long kicks() {
        return kicks;
    }
}
