package io.xdpmesh.xdp.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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

    @Test
    void aFailedPollReturnsZeroAndIsCountedNotThrown() throws Exception {
        // poll(2) fails with EINVAL when nfds exceeds RLIMIT_NOFILE: a deterministic stand-in for the
        // EINTR a profiler's signal causes, which takes the same path
        long limit = Files.readAllLines(Path.of("/proc/self/limits")).stream()
                .filter(l -> l.startsWith("Max open files"))
                .map(l -> l.substring("Max open files".length()).trim().split("\\s+")[0])
                .mapToLong(v -> v.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(v))
                .findFirst().orElseThrow();
        assumeTrue(limit < 1 << 22, "RLIMIT_NOFILE " + limit + " is too large to exceed here");
        try (PollSet p = new PollSet(new int[0], (int) limit)) {
            PollSet.PollLib lib = jnr.ffi.LibraryLoader.create(PollSet.PollLib.class).load("c");
            int fd = lib.eventfd(1, 04000);
            try {
                for (long i = 0; i < limit; i++) { // with the eventfd: limit + 1 entries
                    p.add(fd);
                }
                assertEquals(0, p.await(60_000), "a failed poll is reported as nothing ready, not as a count of -1");
                assertEquals(1, p.failures());
                assertEquals(0, p.await(60_000));
                assertEquals(2, p.failures());
                p.remove(fd);
                p.signal();
                assertEquals(limit - 1, p.sockets());
                assertEquals(limit, p.await(60_000), "at the limit poll works again: the eventfd and every socket entry are ready");
                assertEquals(2, p.failures());
            } finally {
                lib.close(fd);
            }
        }
    }
}
