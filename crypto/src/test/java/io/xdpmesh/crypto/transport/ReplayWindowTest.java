package io.xdpmesh.crypto.transport;

import static io.xdpmesh.crypto.transport.WireGuardConstants.REJECT_AFTER_MESSAGES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ReplayWindowTest {
    private static final long W = ReplayWindow.WINDOW_SIZE;
    private final ReplayWindow window = new ReplayWindow();

    private void accept(long c) {
        assertTrue(window.wouldAccept(c, REJECT_AFTER_MESSAGES), "wouldAccept " + Long.toUnsignedString(c));
        assertTrue(window.validate(c), "accept " + Long.toUnsignedString(c));
    }

    private void reject(long c) {
        assertFalse(window.wouldAccept(c, REJECT_AFTER_MESSAGES), "wouldAccept " + Long.toUnsignedString(c));
        assertFalse(window.validate(c), "reject " + Long.toUnsignedString(c));
    }

    @Test
    void constantsMatchWireGuard() {
        assertEquals(8128, W);
        assertEquals("18446744073709543423", Long.toUnsignedString(REJECT_AFTER_MESSAGES));
        assertEquals(1L << 60, WireGuardConstants.REKEY_AFTER_MESSAGES);
    }

    @Test
    void inOrderAndDuplicates() {
        for (long c = 0; c < 20_000; c++) {
            accept(c);
            reject(c);
        }
    }

    @Test
    void zeroIsAValidFirstCounterOnlyOnce() {
        accept(0);
        reject(0);
        accept(1);
        reject(0);
    }

    @Test
    void outOfOrderInsideTheWindow() {
        accept(100);
        accept(50);
        accept(99);
        accept(0);
        reject(50);
        reject(100);
        accept(101);
        accept(98);
    }

    /** The sequence the kernel's selftest and wireguard-go check, written against our window. */
    @Test
    void kernelSelftestSequence() {
        long lim = W + 1;
        accept(0);
        accept(1);
        reject(1);
        accept(9);
        accept(8);
        accept(7);
        reject(7);
        accept(lim);
        accept(lim - 1);
        reject(lim - 1);
        accept(lim - 2);
        accept(2);
        reject(2);
        accept(lim + 16);
        reject(3); // now more than the window behind
        reject(lim + 16);
        accept(lim * 4);
        accept(lim * 4 - (lim - 1));
        reject(10);
        reject(lim * 4 - lim);
        reject(lim * 4 - (lim + 1));
        accept(lim * 4 - (lim - 2));
        reject(lim * 4 + 1 - lim);
        reject(0);
        reject(REJECT_AFTER_MESSAGES);
        accept(REJECT_AFTER_MESSAGES - 1);
        reject(REJECT_AFTER_MESSAGES);
        reject(REJECT_AFTER_MESSAGES - 1);
        accept(REJECT_AFTER_MESSAGES - 2);
        reject(REJECT_AFTER_MESSAGES + 1);
        reject(REJECT_AFTER_MESSAGES + 2);
        reject(REJECT_AFTER_MESSAGES - 2);
        accept(REJECT_AFTER_MESSAGES - 3);
        reject(0);
    }

    @Test
    void exactlyTheWindowBehindIsStillAcceptedOneMoreIsNot() {
        accept(W);
        accept(0); // W - 0 == W: inside
        window.reset();
        accept(W + 1);
        reject(0); // W + 1 behind: too old
        accept(1);
    }

    @Test
    void fillingTheWholeWindowDescendingAcceptsEveryCounter() {
        for (long c = W + 1; c > 0; c--) {
            accept(c);
        }
        reject(0);
        window.reset();
        for (long c = W; c > 0; c--) {
            accept(c);
        }
        accept(0);
        accept(W + 1);
        reject(0);
    }

    @Test
    void slideByExactlyTheWholeBitmapClearsIt() {
        for (long c = 0; c < 64; c++) {
            accept(c);
        }
        // Move the top by exactly 8192: every word is recycled, nothing old may leak through.
        accept(63 + ReplayWindow.BITS_TOTAL);
        for (long c = 63 + ReplayWindow.BITS_TOTAL - W; c < 63 + ReplayWindow.BITS_TOTAL; c++) {
            accept(c);
        }
        reject(63);
    }

    @Test
    void slideByExactlyTheUsableWindow() {
        accept(5);
        accept(5 + W);
        accept(4 + W);
        reject(5);   // seen
        accept(6);   // exactly... 5+W-6 < W: inside and unseen
        reject(4);   // 5 + W - 4 = W + 1: too old
    }

    @Test
    void hugeJumps() {
        accept(3);
        accept(1L << 40);
        reject(3);
        accept((1L << 40) - 1);
        accept(Long.MAX_VALUE);
        accept(Long.MIN_VALUE); // 2^63 as unsigned: larger still
        reject(Long.MAX_VALUE);
        accept(Long.MIN_VALUE + 1);
    }

    @Test
    void upperBound() {
        accept(REJECT_AFTER_MESSAGES - 1);
        reject(REJECT_AFTER_MESSAGES);
        reject(-1L); // 2^64 - 1
        reject(-2L);
        accept(REJECT_AFTER_MESSAGES - 1 - W);
        reject(REJECT_AFTER_MESSAGES - 2 - W);
        assertFalse(window.validate(5, 5), "a counter equal to the limit is rejected");
        assertTrue(window.wouldAccept(REJECT_AFTER_MESSAGES - 2, REJECT_AFTER_MESSAGES));
    }

    /** Random sequences against a plain set-based model of the same rules. */
    @Test
    void matchesAReferenceModel() {
        Random rnd = new Random(42);
        for (int round = 0; round < 50; round++) {
            window.reset();
            java.util.HashSet<Long> seen = new java.util.HashSet<>();
            long top = -1;
            long base = rnd.nextBoolean() ? 0 : rnd.nextLong(1L << 62);
            for (int i = 0; i < 4000; i++) {
                long c = base + (long) (rnd.nextDouble() * rnd.nextDouble() * 3 * W);
                boolean expect;
                if (top >= 0 && c > top) {
                    expect = true;
                } else if (top >= 0 && top - c > W) {
                    expect = false;
                } else {
                    expect = !seen.contains(c);
                }
                assertEquals(expect, window.wouldAccept(c, REJECT_AFTER_MESSAGES));
                assertEquals(expect, window.validate(c), "round " + round + " step " + i + " c=" + c);
                if (expect) {
                    seen.add(c);
                    top = Math.max(top, c);
                }
                if (rnd.nextInt(500) == 0) {
                    base += rnd.nextInt(3 * (int) W);
                }
            }
        }
    }
}
