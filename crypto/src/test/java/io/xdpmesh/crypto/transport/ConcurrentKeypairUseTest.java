package io.xdpmesh.crypto.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** Two threads sealing with one keypair at once: the send counter never hands out a nonce twice. */
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
}
