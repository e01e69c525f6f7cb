package io.xdpmesh.dataplane.engine;

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
     * The strategy over the thread's wait set {@code poll}: BACKOFF sleeps in it; BUSY_SPIN and
     * YIELD sleep in it the same way while {@code handshakeWork} is above zero (frames held for a
     * handshake, or handshakes in progress: see {@link PollWhileHeldIdleStrategy}).
     */
    IdleStrategy strategy(io.xdpmesh.xdp.sys.PollSet poll, java.util.function.IntSupplier handshakeWork) {
        IdleStrategy backoff = new PollingIdleStrategy(poll, 100, 10, 1);
        return switch (this) {
            case BUSY_SPIN -> new PollWhileHeldIdleStrategy(new BusySpinIdleStrategy(), backoff, handshakeWork);
            case YIELD -> new PollWhileHeldIdleStrategy(new YieldingIdleStrategy(), backoff, handshakeWork);
            case BACKOFF -> backoff;
        };
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
