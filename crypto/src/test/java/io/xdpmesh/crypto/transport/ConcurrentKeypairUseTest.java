package io.xdpmesh.crypto.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * Two dataplane threads using one keypair at once: the send counter never hands out a nonce twice,
 * and the replay window accepts each counter at most once (and, when one thread sees every counter
 * in order, exactly once) whatever the interleaving.
 */
class ConcurrentKeypairUseTest {
    private static final int THREADS = 2;

    private static void race(Runnable body) throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        Thread[] t = new Thread[THREADS];
        for (int i = 0; i < THREADS; i++) {
            t[i] = Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                body.run();
            });
        }
        go.countDown();
        for (Thread x : t) {
            x.join();
        }
    }

    @Test
    void sendCountersAreHandedOutOncePerNonceAcrossThreads() throws InterruptedException {
        Keypair kp = TestKeys.mirrored(1, 1, 2, 0)[0];
        int per = 500_000;
        AtomicIntegerArray seen = new AtomicIntegerArray(THREADS * per);
        race(() -> {
            for (int i = 0; i < per; i++) {
                seen.incrementAndGet((int) kp.nextSendCounter());
            }
        });
        for (int i = 0; i < seen.length(); i++) {
            assertEquals(1, seen.get(i), "counter " + i);
        }
        assertEquals(THREADS * per, kp.sendCounter());
    }

    @Test
    void theSendCounterStopsAtTheLimitForEveryThread() throws InterruptedException {
        Keypair kp = TestKeys.mirrored(1, 1, 2, 0)[0];
        kp.sendCounter(WireGuardConstants.REJECT_AFTER_MESSAGES - 1000);
        AtomicIntegerArray valid = new AtomicIntegerArray(1);
        race(() -> {
            for (int i = 0; i < 10_000; i++) {
                if (kp.nextSendCounter() != -1) {
                    valid.incrementAndGet(0);
                }
            }
        });
        assertEquals(1000, valid.get(0));
    }

    @Test
    void everyCounterIsAcceptedExactlyOnceWhenBothThreadsSeeAllOfThem() throws InterruptedException {
        ReplayWindow w = new ReplayWindow();
        int n = 400_000;
        AtomicIntegerArray accepted = new AtomicIntegerArray(n);
        race(() -> {
            for (int c = 0; c < n; c++) {
                if (w.validate(c)) {
                    accepted.incrementAndGet(c);
                }
            }
        });
        for (int c = 0; c < n; c++) {
            assertEquals(1, accepted.get(c), "counter " + c);
        }
        assertEquals(n - 1, w.highest());
    }

    @Test
    void reorderedCountersSplitBetweenThreadsAreAcceptedAtMostOnce() throws InterruptedException {
        ReplayWindow w = new ReplayWindow();
        int n = 400_000;
        AtomicIntegerArray accepted = new AtomicIntegerArray(n);
        // Each thread walks the counters in blocks of 64 reversed, with some of the other thread's
        // counters replayed: a packet stream reordered within the window and duplicated.
        race(() -> {
            long seed = Thread.currentThread().threadId();
            for (int b = 0; b < n; b += 64) {
                for (int c = Math.min(n, b + 64) - 1; c >= b; c--) {
                    if (w.validate(c)) {
                        accepted.incrementAndGet(c);
                    }
                    seed = seed * 6364136223846793005L + 1442695040888963407L;
                    int back = c - (int) ((seed >>> 33) % 4000);
                    if (back >= 0 && w.validate(back)) {
                        accepted.incrementAndGet(back);
                    }
                }
            }
        });
        int total = 0;
        for (int c = 0; c < n; c++) {
            assertTrue(accepted.get(c) <= 1, "counter " + c + " accepted " + accepted.get(c) + " times");
            total += accepted.get(c);
        }
        assertEquals(n, total, "every counter got through once");
        for (int c = n - 100; c < n; c++) {
            assertFalse(w.validate(c), "a replay after the race");
        }
    }
}
