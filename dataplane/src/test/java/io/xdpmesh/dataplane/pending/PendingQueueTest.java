package io.xdpmesh.dataplane.pending;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PendingQueueTest {
    static final long A = PairKey.of(1, 2, 3);
    static final long B = PairKey.of(4, 5, 6);

    @Test
    void pairKeyRoundTrips() {
        long k = PairKey.of(PairKey.MAX_IDENTITY, 7, PairKey.MAX_NODE);
        assertEquals(PairKey.MAX_IDENTITY, PairKey.src(k));
        assertEquals(7, PairKey.dst(k));
        assertEquals(PairKey.MAX_NODE, PairKey.node(k));
    }

    @Test
    void firstFrameAsksForASessionAndDrainKeepsOrder() {
        PendingQueue q = new PendingQueue(16, 8, 4);
        assertEquals(PendingQueue.QUEUED_NEW_PAIR, q.enqueue(A, 100, 60, 0));
        assertEquals(PendingQueue.QUEUED, q.enqueue(A, 200, 61, 1));
        assertEquals(PendingQueue.QUEUED_NEW_PAIR, q.enqueue(B, 300, 62, 2));
        assertEquals(PendingQueue.QUEUED, q.enqueue(A, 400, 63, 3));
        List<Long> out = new ArrayList<>();
        assertEquals(3, q.drain(A, (a, l) -> out.add(a)));
        assertEquals(List.of(100L, 200L, 400L), out);
        assertFalse(q.isPending(A));
        assertTrue(q.isPending(B));
        assertEquals(1, q.size());
    }

    @Test
    void perPairBoundDropsTheOldest() {
        PendingQueue q = new PendingQueue(1000, PendingQueue.DEFAULT_PER_PAIR, 4);
        for (int i = 0; i < 128; i++) {
            q.enqueue(A, i, 1, 0);
        }
        assertEquals(PendingQueue.QUEUED_EVICTED_PAIR_OLDEST, q.enqueue(A, 128, 1, 0));
        assertEquals(0, q.evictedAddr());
        assertEquals(A, q.evictedPair());
        assertEquals(128, q.heldFor(A));
    }

    @Test
    void globalBoundDropsTheGloballyOldest() {
        PendingQueue q = new PendingQueue(3, 8, 4);
        q.enqueue(A, 1, 1, 0);
        q.enqueue(B, 2, 1, 0);
        q.enqueue(B, 3, 1, 0);
        long c = PairKey.of(7, 8, 9);
        assertEquals(PendingQueue.QUEUED_EVICTED_GLOBAL_OLDEST, q.enqueue(c, 4, 1, 0));
        assertEquals(1, q.evictedAddr());
        assertFalse(q.isPending(A), "a pair whose last frame was evicted is no longer pending");
        assertEquals(3, q.size());
    }

    @Test
    void tooManyPairsIsRefusedNotLost() {
        PendingQueue q = new PendingQueue(10, 8, 1);
        q.enqueue(A, 1, 1, 0);
        assertEquals(PendingQueue.REJECTED_TOO_MANY_PAIRS, q.enqueue(B, 2, 1, 0));
        assertEquals(1, q.size());
    }

    @Test
    void expireDropsOnlyPairsHeldTooLong() {
        PendingQueue q = new PendingQueue(10, 8, 4);
        q.enqueue(A, 1, 1, 100);
        q.enqueue(B, 2, 1, 200);
        q.enqueue(A, 3, 1, 250); // the pair's age is its first frame's
        List<Long> dropped = new ArrayList<>();
        assertEquals(2, q.expire(150, (a, l) -> dropped.add(a)));
        assertEquals(List.of(1L, 3L), dropped);
        assertTrue(q.isPending(B));
    }

    /** Random operations against a simple model: every frame leaves exactly once, in order. */
    @Test
    void conservesFramesUnderRandomOperations() {
        Random rnd = new Random(42);
        int global = 32; // < maxPairs * perPair, so both bounds are exercised
        int perPair = 8;
        int maxPairs = 6;
        PendingQueue q = new PendingQueue(global, perPair, maxPairs);
        Map<Long, ArrayDeque<Long>> model = new HashMap<>();
        Set<Long> inside = new HashSet<>();
        long next = 1;
        int[] seen = new int[5];
        long[] keys = new long[10];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = PairKey.of(i, i + 1, i % 3);
        }
        for (int step = 0; step < 200_000; step++) {
            long key = keys[rnd.nextInt(keys.length)];
            int op = rnd.nextInt(10);
            if (op < 8) {
                long a = next++;
                int r = q.enqueue(key, a, 1, step);
                seen[r]++;
                switch (r) {
                    case PendingQueue.REJECTED_TOO_MANY_PAIRS -> {
                        assertEquals(maxPairs, model.size());
                        continue;
                    }
                    case PendingQueue.QUEUED_EVICTED_PAIR_OLDEST, PendingQueue.QUEUED_EVICTED_GLOBAL_OLDEST -> {
                        long victimPair = q.evictedPair();
                        ArrayDeque<Long> d = model.get(victimPair);
                        assertEquals(d.pollFirst(), q.evictedAddr(), "evicts the oldest of its pair");
                        assertTrue(inside.remove(q.evictedAddr()));
                        if (d.isEmpty()) {
                            model.remove(victimPair);
                        }
                    }
                    case PendingQueue.QUEUED_NEW_PAIR -> assertFalse(model.containsKey(key));
                    default -> assertTrue(model.containsKey(key));
                }
                model.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(a);
                inside.add(a);
            } else {
                ArrayDeque<Long> expected = model.remove(key);
                List<Long> got = new ArrayList<>();
                q.drain(key, (a, l) -> got.add(a));
                assertEquals(expected == null ? List.of() : new ArrayList<>(expected), got);
                got.forEach(inside::remove);
            }
            assertEquals(inside.size(), q.size());
            assertEquals(model.size(), q.pendingPairs());
            assertTrue(q.size() <= global);
        }
        for (int r = 0; r < seen.length; r++) {
            assertTrue(seen[r] > 0, "result " + r + " never happened");
        }
        for (long k : keys) {
            q.drain(k, (a, l) -> assertTrue(inside.remove(a)));
        }
        assertTrue(inside.isEmpty(), "every frame left exactly once");
        assertEquals(0, q.size());
    }
}
