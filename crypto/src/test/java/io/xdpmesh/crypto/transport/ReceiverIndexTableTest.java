package io.xdpmesh.crypto.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.crypto.aead.JdkPacketAead;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReceiverIndexTableTest {
    private static Keypair kp(int index) {
        return new Keypair(new JdkPacketAead(new byte[32]), new JdkPacketAead(new byte[32]), index, 7, true, 0);
    }

    @Test
    void allocatesRandomNonZeroUniqueIndexes() {
        ReceiverIndexTable t = new ReceiverIndexTable(1000);
        java.util.HashSet<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            int idx = t.allocateIndex();
            assertNotEquals(0, idx);
            assertNotEquals(ReceiverIndexTable.TOMBSTONE, idx);
            assertTrue(seen.add(idx));
            t.put(kp(idx));
        }
        assertThrows(IllegalStateException.class, t::allocateIndex, "full");
        assertEquals(1000, t.size());
    }

    @Test
    void neverHandsOutATakenIndexEvenWithACollidingRandomSource() {
        // A random source that repeats itself: allocation must skip values in use.
        int[] values = {5, 5, 0, -1, 5, 9};
        int[] pos = {0};
        java.util.random.RandomGenerator stuck = new java.util.random.RandomGenerator() {
            @Override
            public long nextLong() {
                return nextInt();
            }

            @Override
            public int nextInt() {
                return values[pos[0]++ % values.length];
            }
        };
        ReceiverIndexTable t = new ReceiverIndexTable(4, stuck);
        int first = t.allocateIndex();
        assertEquals(5, first);
        t.put(kp(first));
        assertEquals(9, t.allocateIndex());
        assertThrows(IllegalStateException.class, () -> t.put(kp(5)), "duplicate");
        assertThrows(IllegalArgumentException.class, () -> t.put(kp(0)));
    }

    @Test
    void getPutRemoveAgainstAMapWithChurn() {
        Random rnd = new Random(8);
        ReceiverIndexTable t = new ReceiverIndexTable(64, rnd);
        Map<Integer, Keypair> model = new HashMap<>();
        for (int step = 0; step < 20_000; step++) {
            if (model.size() < 64 && (model.isEmpty() || rnd.nextInt(3) != 0)) {
                Keypair k = kp(t.allocateIndex());
                t.put(k);
                model.put(k.localIndex(), k);
            } else {
                Integer victim = model.keySet().iterator().next();
                assertTrue(t.remove(model.remove(victim)));
                assertNull(t.get(victim));
                assertFalse(t.remove(kp(victim)), "only the entry itself is removed");
            }
            if (step % 997 == 0) {
                for (Map.Entry<Integer, Keypair> e : model.entrySet()) {
                    assertSame(e.getValue(), t.get(e.getKey()));
                }
                assertNull(t.get(0));
                assertNull(t.get(-1));
            }
        }
        assertEquals(model.size(), t.size());
    }

    @Test
    void readerNeverSeesAWrongKeypairWhileTheWriterChurns() throws Exception {
        ReceiverIndexTable t = new ReceiverIndexTable(32, new Random(4));
        Keypair stable = kp(t.allocateIndex());
        t.put(stable);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong wrong = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong missed = new java.util.concurrent.atomic.AtomicLong();
        Thread reader = new Thread(() -> {
            Random r = new Random(5);
            while (!stop.get()) {
                if (t.get(stable.localIndex()) != stable) {
                    missed.incrementAndGet();
                }
                int probe = r.nextInt();
                Keypair k = t.get(probe);
                if (k != null && k.localIndex() != probe) {
                    wrong.incrementAndGet();
                }
            }
        });
        reader.start();
        java.util.ArrayDeque<Keypair> live = new java.util.ArrayDeque<>();
        for (int i = 0; i < 50_000; i++) {
            if (live.size() < 30) {
                Keypair k = kp(t.allocateIndex());
                t.put(k);
                live.add(k);
            } else {
                t.remove(live.poll());
            }
        }
        stop.set(true);
        reader.join(60_000);
        assertEquals(0, wrong.get());
        assertEquals(0, missed.get(), "a live entry vanished during a rebuild");
    }
}
