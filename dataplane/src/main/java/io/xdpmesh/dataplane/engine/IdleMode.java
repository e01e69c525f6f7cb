package io.xdpmesh.dataplane.engine;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/** What a dataplane thread does when a duty cycle found no work. */
public enum IdleMode {
    /** Spin (lowest latency, one core at 100%). */
    BUSY_SPIN,
    /** Thread.yield between empty cycles. */
    YIELD,
    /**
     * Spin, then yield, then sleep in poll(2) on the thread's sockets and command eventfd (at most
     * 1 ms): an idle node uses almost no CPU, and a packet or command wakes the thread at once.
     */
    BACKOFF;

    /**
     * The strategy; {@code poll} is the thread's wait set (BACKOFF blocks in it; null: timed parks).
     * With a wait set, BUSY_SPIN and YIELD block in it too while {@code heldFrames} is above zero
     * (first frames waiting for a handshake: see {@link PollWhileHeldIdleStrategy}).
     */
    IdleStrategy strategy(io.xdpmesh.xdp.sys.PollSet poll, java.util.function.IntSupplier heldFrames) {
        IdleStrategy usual = switch (this) {
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            case YIELD -> new YieldingIdleStrategy();
            case BACKOFF -> poll != null ? new PollingIdleStrategy(poll, 100, 10, 1)
                    : new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);
        };
        return this == BACKOFF || poll == null ? usual
                : new PollWhileHeldIdleStrategy(usual, new PollingIdleStrategy(poll, 100, 10, 1), heldFrames);
    }

    public IdleStrategy strategy() {
        return strategy(null, () -> 0);
    }

    public static IdleMode parse(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "busy-spin", "busy_spin", "spin" -> BUSY_SPIN;
            case "yield" -> YIELD;
            case "backoff" -> BACKOFF;
            default -> throw new IllegalArgumentException("idle strategy '" + s + "': busy-spin, yield or backoff");
        };
    }
}
