package io.xdpmesh.crypto.aead;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Seal and open allocate nothing once compiled. Counted with the thread's allocation counter (exact,
 * not timed). Warm-up runs until a whole round allocates nothing, so the JIT has finished, with a
 * generous cap; then 200k seal+open pairs must allocate 0 bytes.
 */
class AllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int[] SIZES = {64, 256, 1420};

    @Test
    void sealAndOpenAllocateNothingOnNativeMemory() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment frame = arena.allocate(4096, 64);
            for (Function<byte[], PacketAead> impl : Impls.fast()) {
                assertZero(impl, frame);
            }
        }
    }

    @Test
    void sealAndOpenAllocateNothingOnHeapMemory() {
        MemorySegment frame = MemorySegment.ofArray(new byte[4096]);
        for (Function<byte[], PacketAead> impl : Impls.fast()) {
            assertZero(impl, frame);
        }
    }

    private static void assertZero(Function<byte[], PacketAead> impl, MemorySegment frame) {
        try (PacketAead a = impl.apply(new byte[32])) {
            long tid = Thread.currentThread().threadId();
            boolean quiet = false;
            for (int round = 0; round < 60 && !quiet; round++) { // 60 x 60k pairs at most
                long before = THREADS.getThreadAllocatedBytes(tid);
                if (!cycle(a, frame, 20_000)) {
                    throw new AssertionError("open failed during warm-up");
                }
                quiet = THREADS.getThreadAllocatedBytes(tid) == before;
            }
            assertTrue(quiet, a.implementation() + " still allocates after warm-up");
            long before = THREADS.getThreadAllocatedBytes(tid);
            boolean ok = cycle(a, frame, 66_667); // 200k seal+open pairs over the three sizes
            long allocated = THREADS.getThreadAllocatedBytes(tid) - before;
            assertTrue(ok);
            assertEquals(0, allocated, a.implementation() + " (" + (frame.isNative() ? "native" : "heap")
                    + ") allocated bytes over 200k seal+open pairs");
        }
    }

    private static boolean cycle(PacketAead a, MemorySegment frame, int n) {
        boolean ok = true;
        for (int i = 0; i < n; i++) {
            for (int size : SIZES) {
                a.seal(frame, 42, size, i);
                ok &= a.open(frame, 42, size, i);
            }
        }
        return ok;
    }
}
