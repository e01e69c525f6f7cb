package io.xdpmesh.xdp.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PollSetTest {
    @Test
    void aSignalWakesTheNextWaitOnceAndAnUnsignalledWaitTimesOut() {
        try (PollSet p = new PollSet(new int[0])) {
            assertEquals(0, p.await(1), "nothing ready: the wait times out");
            p.signal();
            assertEquals(1, p.await(60_000), "the eventfd is ready: no 60 s wait");
            assertEquals(0, p.await(1), "the signal was consumed by the wait it woke");
            p.signal();
            p.signal();
            assertEquals(1, p.await(60_000));
            assertEquals(0, p.await(0));
        }
    }

    @Test
    void aSignalAfterCloseIsIgnored() {
        PollSet p = new PollSet(new int[0]);
        p.close();
        p.signal(); // must not write to a closed (possibly reused) fd number
        p.close();
    }
}
