package io.xdpmesh.crypto.aead;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.crypto.primitives.ChaChaPoly;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * PacketMac's tag is the RFC 8439 AEAD tag of an empty plaintext with the region as associated
 * data: the JDK's own ChaCha20-Poly1305 is the reference (not our code).
 */
class PacketMacTest {
    private static final int[] LENGTHS = {0, 1, 15, 16, 17, 31, 32, 33, 64, 100, 127, 128, 129, 255, 256, 257,
        511, 512, 1024, 1436, 1500, 4096, 9000};

    @Test
    void tagMatchesTheJdkAeadWithTheRegionAsAssociatedData() {
        Random rnd = new Random(7);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(9100);
            for (int round = 0; round < 3; round++) {
                byte[] key = new byte[32];
                rnd.nextBytes(key);
                try (PacketMac mac = new PacketMac(key)) {
                    for (int len : LENGTHS) {
                        long counter = round == 2 ? -2L - len : rnd.nextLong() >>> 1;
                        int off = rnd.nextInt(64);
                        byte[] data = new byte[len];
                        rnd.nextBytes(data);
                        MemorySegment.copy(data, 0, seg, ValueLayout.JAVA_BYTE, off, len);
                        mac.sign(seg, off, len, counter);
                        byte[] expected = ChaChaPoly.seal(key, ChaChaPoly.nonce(counter), new byte[0], data);
                        byte[] got = seg.asSlice(off + len, 16).toArray(ValueLayout.JAVA_BYTE);
                        assertArrayEquals(expected, got, "len " + len + " counter " + counter);
                        assertTrue(mac.verify(seg, off, len, counter), "verifies its own tag, len " + len);
                        assertArrayEquals(data, seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE), "data left in the clear");
                    }
                }
            }
        }
    }

    @Test
    void anyFlippedBitWrongCounterOrWrongKeyIsRejected() {
        byte[] key = new byte[32];
        new Random(3).nextBytes(key);
        MemorySegment seg = MemorySegment.ofArray(new byte[300 + 16]);
        for (int i = 0; i < 300; i++) {
            seg.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31));
        }
        try (PacketMac mac = new PacketMac(key)) {
            mac.sign(seg, 0, 300, 42);
            for (int bit = 0; bit < 316 * 8; bit += 7) {
                int at = bit >>> 3;
                byte b = seg.get(ValueLayout.JAVA_BYTE, at);
                seg.set(ValueLayout.JAVA_BYTE, at, (byte) (b ^ (1 << (bit & 7))));
                assertFalse(mac.verify(seg, 0, 300, 42), "bit " + bit);
                seg.set(ValueLayout.JAVA_BYTE, at, b);
            }
            assertTrue(mac.verify(seg, 0, 300, 42));
            assertFalse(mac.verify(seg, 0, 300, 43), "another counter");
            assertFalse(mac.verify(seg, 0, 299, 42), "a shorter region");
        }
        key[0] ^= 1;
        try (PacketMac other = new PacketMac(key)) {
            assertFalse(other.verify(seg, 0, 300, 42), "another key");
        }
    }

    @Test
    void signAndVerifyAllocateNothingOnceCompiled() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        var jit = ManagementFactory.getCompilationMXBean();
        long tid = Thread.currentThread().threadId();
        try (Arena arena = Arena.ofConfined(); PacketMac mac = new PacketMac(new byte[32])) {
            MemorySegment seg = arena.allocate(2048);
            long allocated = -1;
            // Retry a round that overlapped the JIT (a compile or deoptimization may allocate); a quiet
            // round that allocates fails.
            for (int attempt = 0; attempt < 60; attempt++) {
                long j = jit.getTotalCompilationTime();
                long before = threads.getThreadAllocatedBytes(tid);
                for (int i = 0; i < 20_000; i++) {
                    int len = 16 + (i & 1023);
                    mac.sign(seg, 0, len, i);
                    if (!mac.verify(seg, 0, len, i)) {
                        throw new AssertionError("verify failed at " + i);
                    }
                }
                allocated = threads.getThreadAllocatedBytes(tid) - before;
                if (jit.getTotalCompilationTime() == j) {
                    break;
                }
            }
            assertEquals(0, allocated, "bytes allocated by 20k sign+verify pairs");
        }
    }
}
