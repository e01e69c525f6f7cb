package io.xdpmesh.dataplane.engine;

import io.xdpmesh.xdp.sys.PollSet;
import org.agrona.concurrent.IdleStrategy;

/**
 * The backoff idle strategy of a dataplane thread: after the last duty cycle that found work, spin
 * for up to {@code spinNanos} (the next frame of an ACK-clocked flow or a request/response usually
 * comes within tens of microseconds, and catching it spinning saves a sleep and a wake-up), then
 * yield a few times, then block in poll(2) on the thread's AF_XDP sockets and its command eventfd
 * (at most {@code maxWaitMs}, so timed duties such as pending-frame expiry still run). A frame
 * arriving or a command queued wakes it at once, where a timed park (Agrona's BackoffIdleStrategy,
 * up to 1 ms) made every packet that found the thread asleep wait out the rest of the period. The
 * syscall happens only when idle; an idle node burns at most one spin window per burst of traffic.
 */
final class PollingIdleStrategy implements IdleStrategy {
    /** System property: microseconds to spin after work before yielding and polling. */
    static final String SPIN_MICROS = "xdpmesh.idle.spinMicros";
    static final long DEFAULT_SPIN_NANOS = 5_000;

    private final PollSet poll;
    private final long spinNanos;
    private final int yields;
    private final int maxWaitMs;
    private long idleSince = -1;
    private int yielded;

    PollingIdleStrategy(PollSet poll, long spinNanos, int yields, int maxWaitMs) {
        this.poll = poll;
        this.spinNanos = spinNanos;
        this.yields = yields;
        this.maxWaitMs = maxWaitMs;
    }

    /** The spin window from {@value #SPIN_MICROS} (read once, at start-up), else the default. */
    static long configuredSpinNanos() {
        String v = System.getProperty(SPIN_MICROS);
        if (v == null || v.isBlank()) {
            return DEFAULT_SPIN_NANOS;
        }
        long us = Long.parseLong(v.trim());
        if (us < 0) {
            throw new IllegalArgumentException(SPIN_MICROS + " must be >= 0: " + v);
        }
        return us * 1_000L;
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            reset();
            return;
        }
        idle();
    }

    @Override
    public void idle() {
        long now = System.nanoTime();
        if (idleSince < 0) {
            idleSince = now;
        }
        if (now - idleSince < spinNanos) {
            Thread.onSpinWait();
        } else if (yielded < yields) {
            yielded++;
            Thread.yield();
        } else {
            poll.await(maxWaitMs);
        }
    }

    @Override
    public void reset() {
        idleSince = -1;
        yielded = 0;
    }

    @Override
    public String alias() {
        return "poll";
    }
}
