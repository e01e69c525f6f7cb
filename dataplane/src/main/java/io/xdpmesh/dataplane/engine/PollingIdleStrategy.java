package io.xdpmesh.dataplane.engine;

import io.xdpmesh.xdp.sys.PollSet;
import org.agrona.concurrent.IdleStrategy;

/**
 * The backoff idle strategy of a dataplane thread: after an empty duty cycle spin a little, then
 * yield a little, then block in poll(2) on the thread's AF_XDP sockets and its command eventfd (at
 * most {@code maxWaitMs}, so timed duties such as pending-frame expiry still run). A frame arriving
 * or a command queued wakes it at once, where a timed park (Agrona's BackoffIdleStrategy, up to
 * 1 ms) made every packet that found the thread asleep wait out the rest of the period: on a first
 * packet's round trip that is four dataplane passes. The syscall happens only when idle.
 */
final class PollingIdleStrategy implements IdleStrategy {
    private final PollSet poll;
    private final int spins;
    private final int yields;
    private final int maxWaitMs;
    private int count;

    PollingIdleStrategy(PollSet poll, int spins, int yields, int maxWaitMs) {
        this.poll = poll;
        this.spins = spins;
        this.yields = yields;
        this.maxWaitMs = maxWaitMs;
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            count = 0;
            return;
        }
        idle();
    }

    @Override
    public void idle() {
        if (count < spins) {
            count++;
            Thread.onSpinWait();
        } else if (count < spins + yields) {
            count++;
            Thread.yield();
        } else {
            poll.await(maxWaitMs);
        }
    }

    @Override
    public void reset() {
        count = 0;
    }

    @Override
    public String alias() {
        return "poll";
    }
}
