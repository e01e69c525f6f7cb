package io.xdpmesh.dataplane.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;

class PollWhileHeldIdleStrategyTest {
    /** Counts what it is asked to do. */
    private static final class Counting implements IdleStrategy {
        int idles;
        int resets;

        @Override public void idle(int workCount) { idle(); }
        @Override public void idle() { idles++; }
        @Override public void reset() { resets++; }
        @Override public String alias() { return "counting"; }
    }

    @Test
    void spinsUnlessFramesAreHeldThenWaitsTheBackoffWay() {
        Counting spin = new Counting();
        Counting poll = new Counting();
        int[] held = {0};
        PollWhileHeldIdleStrategy s = new PollWhileHeldIdleStrategy(spin, poll, () -> held[0]);
        s.idle(0);
        s.idle(0);
        assertEquals(2, spin.idles);
        assertEquals(0, poll.idles);
        held[0] = 3; // a new pair's first frames wait for its handshake
        s.idle(0);
        s.idle(0);
        s.idle(0);
        assertEquals(2, spin.idles);
        assertEquals(3, poll.idles);
        held[0] = 0; // released
        s.idle(0);
        assertEquals(3, spin.idles);
        assertEquals(3, poll.idles);
    }

    @Test
    void workResetsBothSoTheBackoffStartsOverWithSpins() {
        Counting spin = new Counting();
        Counting poll = new Counting();
        PollWhileHeldIdleStrategy s = new PollWhileHeldIdleStrategy(spin, poll, () -> 1);
        s.idle(5);
        assertEquals(0, spin.idles + poll.idles);
        assertEquals(1, spin.resets);
        assertEquals(1, poll.resets);
    }

    @Test
    void busySpinAndYieldGetItBackoffDoesNot() {
        try (var wait = new io.xdpmesh.xdp.sys.PollSet(new int[0])) {
            assertEquals(PollWhileHeldIdleStrategy.class, IdleMode.BUSY_SPIN.strategy(wait, () -> 0).getClass());
            assertEquals(PollWhileHeldIdleStrategy.class, IdleMode.YIELD.strategy(wait, () -> 0).getClass());
            assertEquals(PollingIdleStrategy.class, IdleMode.BACKOFF.strategy(wait, () -> 0).getClass());
        }
    }
}
