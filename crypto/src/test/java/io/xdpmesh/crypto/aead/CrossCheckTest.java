package io.xdpmesh.crypto.aead;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Every implementation against the JDK's SunJCE, byte for byte, on heap and native memory. */
class CrossCheckTest {
    private static final long[] COUNTERS = {0, 1, 0xFFFF_FFFFL, 1L << 32, (1L << 32) + 1, Long.MAX_VALUE, Long.MIN_VALUE, -2L, -1L};

    @Test
    void randomLengthsOffsetsAndCountersMatchSunJce() {
        Random rnd = new Random(20260907);
        for (Function<byte[], PacketAead> impl : Impls.fast()) {
            for (int iter = 0; iter < 600; iter++) {
                byte[] key = new byte[32];
                rnd.nextBytes(key);
                int len = iter < 300 ? iter : rnd.nextInt(9001); // every small length, then random up to 9000
                int off = 1 + rnd.nextInt(63); // never 64-byte aligned, usually not 8-byte aligned either
                long counter = iter < COUNTERS.length ? COUNTERS[iter] : rnd.nextLong();
                boolean heap = (iter & 1) == 0;
                check(impl, key, len, off, counter, heap, rnd);
            }
        }
    }

    private static void check(Function<byte[], PacketAead> impl, byte[] key, int len, int off, long counter, boolean heap,
            Random rnd) {
        byte[] plain = new byte[len];
        rnd.nextBytes(plain);
        byte[] ref = Arrays.copyOf(plain, len + 16);
        try (JdkPacketAead jdk = new JdkPacketAead(key)) {
            jdk.seal(MemorySegment.ofArray(ref), 0, len, counter);
        }
        try (Arena arena = Arena.ofConfined(); PacketAead a = impl.apply(key)) {
            int size = off + len + 16 + 7;
            MemorySegment seg = heap ? MemorySegment.ofArray(new byte[size]) : arena.allocate(size, 1);
            byte[] guard = new byte[size];
            rnd.nextBytes(guard);
            seg.copyFrom(MemorySegment.ofArray(guard));
            MemorySegment.copy(plain, 0, seg, ValueLayout.JAVA_BYTE, off, len);
            a.seal(seg, off, len, counter);
            String what = a.implementation() + " len=" + len + " off=" + off + " ctr=" + counter + " heap=" + heap;
            assertArrayEquals(ref, seg.asSlice(off, len + 16).toArray(ValueLayout.JAVA_BYTE), what);
            assertArrayEquals(Arrays.copyOf(guard, off), seg.asSlice(0, off).toArray(ValueLayout.JAVA_BYTE), "prefix " + what);
            assertArrayEquals(Arrays.copyOfRange(guard, off + len + 16, size),
                    seg.asSlice(off + len + 16).toArray(ValueLayout.JAVA_BYTE), "suffix " + what);
            assertTrue(a.open(seg, off, len, counter), what);
            assertArrayEquals(plain, seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE), what);

            // tamper: a flipped bit anywhere (ciphertext or tag), or the wrong counter, is rejected
            MemorySegment.copy(ref, 0, seg, ValueLayout.JAVA_BYTE, off, len + 16);
            int flip = rnd.nextInt(len + 16);
            boolean wrongCounter = rnd.nextInt(4) == 0;
            if (!wrongCounter) {
                seg.set(ValueLayout.JAVA_BYTE, off + flip, (byte) (seg.get(ValueLayout.JAVA_BYTE, off + flip) ^ (1 << rnd.nextInt(8))));
            }
            byte[] before = seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE);
            assertFalse(a.open(seg, off, len, wrongCounter ? counter + 1 : counter), "tampered " + what);
            byte[] after = seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE);
            assertTrue(Arrays.equals(after, before) || Arrays.equals(after, new byte[len]),
                    "a failed open must leave the ciphertext or zeros, never plaintext: " + what);
        }
    }
}
