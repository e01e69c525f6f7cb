package io.xdpmesh.xdp.xsk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Ring index arithmetic on plain memory: this test plays the kernel's side by hand. */
class RingArithmeticTest {
    private static final long PROD = 0;
    private static final long CONS = 64;
    private static final long FLAGS = 128;
    private static final long DESC = 192;

    private final Arena arena = Arena.ofShared();

    @AfterEach
    void free() {
        arena.close();
    }

    private MemorySegment ringMemory(int size, int descSize, int start) {
        MemorySegment m = arena.allocate(DESC + (long) size * descSize, 64);
        m.set(ValueLayout.JAVA_INT, PROD, start);
        m.set(ValueLayout.JAVA_INT, CONS, start);
        return m;
    }

    private static RingLayout layout(MemorySegment m, int size) {
        return new RingLayout(m.address(), PROD, CONS, FLAGS, DESC, size);
    }

    private static int prod(MemorySegment m) {
        return m.get(ValueLayout.JAVA_INT, PROD);
    }

    private static int cons(MemorySegment m) {
        return m.get(ValueLayout.JAVA_INT, CONS);
    }

    @Test
    void producerFillsToSizeThenRefusesUntilConsumerMoves() {
        MemorySegment m = ringMemory(8, 8, 0);
        FillRing ring = new FillRing(layout(m, 8));
        assertEquals(8, ring.free(1));
        assertEquals(5, ring.reserve(5));
        assertEquals(0, ring.reservedStart());
        assertEquals(0, prod(m), "nothing is visible before submit");
        for (int i = 0; i < 5; i++) {
            ring.addr(ring.reservedStart() + i, 4096L * i);
        }
        ring.submit(5);
        assertEquals(5, prod(m));
        assertEquals(0, ring.reserve(4), "all-or-nothing reserve when only 3 are free");
        assertEquals(3, ring.reserveUpTo(4));
        assertEquals(5, ring.reservedStart());
        ring.submit(3);
        assertEquals(8, prod(m));
        assertEquals(0, ring.reserveUpTo(1), "full ring");
        // the kernel consumes 2: the producer sees them only after re-reading the consumer index
        m.set(ValueLayout.JAVA_INT, CONS, 2);
        assertEquals(2, ring.reserve(2));
        assertEquals(8, ring.reservedStart());
        assertEquals(4096L * 0, m.get(ValueLayout.JAVA_LONG, DESC), "slot 0 untouched until written");
        ring.addr(8, 77);
        assertEquals(77, m.get(ValueLayout.JAVA_LONG, DESC), "index 8 is slot 0 of an 8-entry ring");
    }

    @Test
    void producerReadsSharedConsumerOnlyWhenCacheIsShort() {
        MemorySegment m = ringMemory(8, 16, 0);
        TxRing ring = new TxRing(layout(m, 8));
        assertEquals(6, ring.reserve(6));
        ring.submit(6);
        assertEquals(2, ring.free(1));
        m.set(ValueLayout.JAVA_INT, CONS, 6);
        assertEquals(2, ring.free(2), "cached view already satisfies the request: no refresh");
        assertEquals(8, ring.free(3), "short cached view: refresh from the shared consumer index");
    }

    @Test
    void batchLargerThanRingNeverFits() {
        MemorySegment m = ringMemory(4, 16, 0);
        TxRing ring = new TxRing(layout(m, 4));
        assertEquals(0, ring.reserve(5));
        assertEquals(4, ring.reserveUpTo(5));
    }

    @Test
    void cancelGivesBackReservedSlots() {
        MemorySegment m = ringMemory(8, 16, 0);
        TxRing ring = new TxRing(layout(m, 8));
        assertEquals(4, ring.reserve(4));
        ring.cancel(2);
        ring.submit(2);
        assertEquals(2, prod(m));
        assertEquals(6, ring.reserve(6));
        assertEquals(2, ring.reservedStart());
    }

    @Test
    void consumerSeesEntriesOnlyAfterProducerIndexMovesAndCapsAtMax() {
        MemorySegment m = ringMemory(8, 16, 0);
        RxRing rx = new RxRing(layout(m, 8));
        assertEquals(0, rx.peek(16), "empty ring");
        for (int i = 0; i < 5; i++) {
            m.set(ValueLayout.JAVA_LONG, DESC + 16L * i, 1000 + i);
            m.set(ValueLayout.JAVA_INT, DESC + 16L * i + 8, 60 + i);
            m.set(ValueLayout.JAVA_INT, DESC + 16L * i + 12, i == 3 ? 1 : 0);
        }
        assertEquals(0, rx.peek(16), "cached producer index: entries appear only when the kernel publishes");
        m.set(ValueLayout.JAVA_INT, PROD, 5);
        assertEquals(3, rx.peek(3));
        assertEquals(0, rx.peekedStart());
        assertEquals(1001, rx.addr(1));
        assertEquals(62, rx.len(2));
        rx.release(3);
        assertEquals(3, cons(m));
        assertEquals(2, rx.peek(16));
        assertEquals(3, rx.peekedStart());
        assertEquals(1, rx.options(3));
        rx.cancel(1);
        assertEquals(1, rx.peek(16));
        assertEquals(4, rx.peekedStart());
        rx.release(2);
        assertEquals(5, cons(m));
    }

    @Test
    void consumerRefreshesOnlyWhenCachedViewIsEmpty() {
        MemorySegment m = ringMemory(8, 8, 0);
        CompletionRing cq = new CompletionRing(layout(m, 8));
        m.set(ValueLayout.JAVA_INT, PROD, 2);
        assertEquals(1, cq.peek(1));
        m.set(ValueLayout.JAVA_INT, PROD, 6);
        assertEquals(1, cq.peek(8), "one entry still cached: served without re-reading the producer");
        assertEquals(4, cq.peek(8), "cache drained: re-read");
        cq.release(6);
        assertEquals(6, cons(m));
    }

    @Test
    void indexesWrapAt2Pow32() {
        int start = -3; // 0xFFFFFFFD: three steps before the 32-bit wrap
        MemorySegment m = ringMemory(8, 16, start);
        TxRing tx = new TxRing(layout(m, 8));
        RxRing peer = new RxRing(layout(m, 8)); // reads what tx produced, as the kernel would
        assertEquals(8, tx.reserve(8));
        assertEquals(start, tx.reservedStart());
        for (int i = 0; i < 8; i++) {
            tx.desc(start + i, 10_000 + i, 64 + i, 0);
        }
        tx.submit(8);
        assertEquals(start + 8, prod(m));
        assertEquals(5, prod(m), "the producer index wrapped through zero");
        assertEquals(0, tx.reserve(1), "full across the wrap");
        assertEquals(8, peer.peek(8));
        for (int i = 0; i < 8; i++) {
            int idx = peer.peekedStart() + i;
            assertEquals(10_000 + i, peer.addr(idx));
            assertEquals(64 + i, peer.len(idx));
        }
        // slot of index 0xFFFFFFFD is 5, of 0 is 0
        assertEquals(10_000, m.get(ValueLayout.JAVA_LONG, DESC + 16L * 5));
        assertEquals(10_003, m.get(ValueLayout.JAVA_LONG, DESC));
        peer.release(8);
        assertEquals(8, tx.reserve(8));
        assertEquals(5, tx.reservedStart());
    }

    @Test
    void needWakeupFollowsTheFlagsWord() {
        MemorySegment m = ringMemory(8, 16, 0);
        TxRing tx = new TxRing(layout(m, 8));
        assertFalse(tx.needsWakeup());
        m.set(ValueLayout.JAVA_INT, FLAGS, 1);
        assertTrue(tx.needsWakeup());
        m.set(ValueLayout.JAVA_INT, FLAGS, 2);
        assertFalse(tx.needsWakeup());
    }

    @Test
    void ringSizeMustBePowerOfTwo() {
        MemorySegment m = ringMemory(8, 16, 0);
        assertThrows(IllegalArgumentException.class, () -> new TxRing(layout(m, 6)));
    }

    /** Random batch sizes across the 2^32 wrap, single thread: FIFO order and no loss. */
    @Test
    void randomBatchesAcrossWrapKeepOrder() {
        int size = 64;
        int start = -1000; // 0xFFFFFC18
        MemorySegment m = ringMemory(size, 8, start);
        FillRing producer = new FillRing(layout(m, size));
        CompletionRing consumer = new CompletionRing(layout(m, size));
        SplittableRandom r = new SplittableRandom(42);
        long next = 0;
        long expected = 0;
        while (expected < 200_000) {
            int want = 1 + r.nextInt(size + 8);
            int got = producer.reserveUpTo(want);
            assertTrue(got <= size);
            for (int i = 0; i < got; i++) {
                producer.addr(producer.reservedStart() + i, next++);
            }
            producer.submit(got);
            int n = consumer.peek(1 + r.nextInt(size));
            for (int i = 0; i < n; i++) {
                assertEquals(expected++, consumer.addr(consumer.peekedStart() + i));
            }
            consumer.release(n);
        }
        assertEquals(start + (int) next, prod(m));
        assertTrue(prod(m) > 0, "the run crossed the 2^32 wrap");
    }

    /**
     * Two threads, one per side, through the real acquire/release paths: every value arrives once,
     * in order (bounded count; the timeout is a hang guard, not a performance check).
     */
    @Test
    void producerAndConsumerThreadsAgree() throws Exception {
        int size = 256;
        MemorySegment m = ringMemory(size, 8, -5000);
        FillRing producer = new FillRing(layout(m, size));
        CompletionRing consumer = new CompletionRing(layout(m, size));
        long total = 2_000_000;
        CompletableFuture<Void> prodTask = CompletableFuture.runAsync(() -> {
            long v = 0;
            while (v < total) {
                int n = producer.reserveUpTo((int) Math.min(32, total - v));
                for (int i = 0; i < n; i++) {
                    producer.addr(producer.reservedStart() + i, v++);
                }
                if (n > 0) {
                    producer.submit(n);
                } else {
                    Thread.onSpinWait();
                }
            }
        });
        long expected = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (expected < total && System.nanoTime() < deadline) {
            int n = consumer.peek(64);
            for (int i = 0; i < n; i++) {
                long v = consumer.addr(consumer.peekedStart() + i);
                if (v != expected) {
                    throw new AssertionError("got " + v + " expected " + expected);
                }
                expected++;
            }
            if (n > 0) {
                consumer.release(n);
            } else {
                Thread.onSpinWait();
            }
        }
        prodTask.get(60, TimeUnit.SECONDS);
        assertEquals(total, expected);
    }

    /** The kernel side of an RX ring: publishes packets of the given descriptor counts. */
    private static void publishChains(MemorySegment m, int size, int... descs) {
        int prod = prod(m);
        for (int n : descs) {
            for (int k = 0; k < n; k++) {
                long d = DESC + (long) ((prod & (size - 1)) * 16);
                m.set(ValueLayout.JAVA_LONG, d, 4096L * (prod & 0xffff) + 256);
                m.set(ValueLayout.JAVA_INT, d + 8, k < n - 1 ? 3840 : 100);
                m.set(ValueLayout.JAVA_INT, d + 12, k < n - 1 ? 1 : 0); // XDP_PKT_CONTD
                prod++;
            }
        }
        m.set(ValueLayout.JAVA_INT, PROD, prod);
    }

    @Test
    void peekPacketsNeverCutsAChainAndTakesAnOverlongChainWhole() {
        int size = 16;
        MemorySegment m = ringMemory(size, 16, -6); // indexes wrap at 2^32 during the test
        RxRing rx = new RxRing(layout(m, size));
        publishChains(m, size, 1, 3, 2, 5);
        assertEquals(4, rx.peekPackets(5), "1 + 3 fit in 5, the 2-chain would be cut");
        assertEquals(-6, rx.peekedStart());
        assertEquals(4, rx.packetBoundary(rx.peekedStart(), 4));
        assertEquals(1, rx.packetBoundary(rx.peekedStart(), 3), "a cut chain is trimmed back");
        assertEquals(0, rx.packetBoundary(rx.peekedStart() + 1, 2));
        rx.release(4);
        assertEquals(2, rx.peekPackets(3), "the 2-chain, not the start of the 5-chain");
        rx.release(2);
        assertEquals(5, rx.peekPackets(2), "a chain longer than the batch is taken whole");
        assertFalse(rx.continues(rx.peekedStart() + 4));
        rx.cancel(5);
        assertEquals(5, rx.peekPackets(64));
        rx.release(5);
        assertEquals(prod(m), cons(m));
        assertEquals(0, rx.peekPackets(64));

        // An incomplete chain in view (never published so by the kernel) is left alone.
        int p = prod(m);
        long d = DESC + (long) ((p & (size - 1)) * 16);
        m.set(ValueLayout.JAVA_INT, d + 12, 1);
        m.set(ValueLayout.JAVA_INT, PROD, p + 1);
        assertEquals(0, rx.peekPackets(64));
        assertEquals(p, cons(m));
    }
}
