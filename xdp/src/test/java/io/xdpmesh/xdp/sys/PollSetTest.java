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

    @Test
    void socketsAddedAndRemovedAtRuntimeAreWaitedOnAndThenNot() {
        PollSet.PollLib lib = jnr.ffi.LibraryLoader.create(PollSet.PollLib.class).load("c");
        int ready = lib.eventfd(1, 04000); // counter 1: readable until read, like an RX ring with frames
        try (PollSet p = new PollSet(new int[0], 2)) {
            assertEquals(0, p.await(0));
            assertEquals(true, p.add(ready));
            assertEquals(1, p.sockets());
            assertEquals(1, p.await(60_000), "the added fd is ready: no 60 s wait");
            p.remove(ready);
            assertEquals(0, p.sockets());
            assertEquals(0, p.await(0), "a removed fd no longer wakes the wait");
            p.signal();
            assertEquals(1, p.await(60_000), "the eventfd still works after a removal");
            assertEquals(true, p.add(ready));
            assertEquals(true, p.add(ready));
            assertEquals(false, p.add(ready), "full at its capacity");
        } finally {
            lib.close(ready);
        }
    }
}
