package io.xdpmesh.dataplane.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.xdpmesh.xdp.sys.PollSet;
import org.junit.jupiter.api.Test;

/** The spin window's setting, and that a thread past it blocks in poll(2) where a signal wakes it. */
class PollingIdleStrategyTest {
    @Test
    void spinWindowComesFromTheSystemPropertyOrTheDefault() {
        String old = System.getProperty(PollingIdleStrategy.SPIN_MICROS);
        try {
            System.clearProperty(PollingIdleStrategy.SPIN_MICROS);
            assertEquals(PollingIdleStrategy.DEFAULT_SPIN_NANOS, PollingIdleStrategy.configuredSpinNanos());
            System.setProperty(PollingIdleStrategy.SPIN_MICROS, " 50 ");
            assertEquals(50_000, PollingIdleStrategy.configuredSpinNanos());
            System.setProperty(PollingIdleStrategy.SPIN_MICROS, "0");
            assertEquals(0, PollingIdleStrategy.configuredSpinNanos());
            System.setProperty(PollingIdleStrategy.SPIN_MICROS, "-1");
            assertThrows(IllegalArgumentException.class, PollingIdleStrategy::configuredSpinNanos);
            System.setProperty(PollingIdleStrategy.SPIN_MICROS, "fast");
            assertThrows(NumberFormatException.class, PollingIdleStrategy::configuredSpinNanos);
        } finally {
            if (old == null) {
                System.clearProperty(PollingIdleStrategy.SPIN_MICROS);
            } else {
                System.setProperty(PollingIdleStrategy.SPIN_MICROS, old);
            }
        }
    }

    @Test
    void withoutSpinOrYieldsAnIdleCycleWaitsInPollAndConsumesTheSignal() {
        try (PollSet p = new PollSet(new int[0])) {
            // maxWait 60 s: the test only returns because the signal makes the fd ready
            PollingIdleStrategy s = new PollingIdleStrategy(p, 0, 0, 60_000);
            p.signal();
            s.idle(0);
            assertEquals(0, p.await(0), "the idle wait consumed the signal");
            s.idle(1); // work resets the window
            p.signal();
            s.idle(0);
            assertEquals(0, p.await(0));
        }
    }
}
