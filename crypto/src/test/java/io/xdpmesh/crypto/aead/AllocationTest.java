package io.xdpmesh.crypto.aead;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.List;
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
    private static final java.lang.management.CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
    private static final int[] SIZES = {64, 256, 1420};
    /** The sizes PacketAeads routes to OpenSSL EVP over FFM (jumbo frames, superframe segments). */
    private static final int[] LARGE = {PacketAeads.VECTOR_BELOW, 4096, 9000};

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

    /**
     * The EVP path (and the factory's routing to it) at jumbo sizes: JFR once attributed allocation to
     * LambdaForms under OpenSslPacketAead.seal; after warm-up there must be none.
     */
    @Test
    void largePacketsThroughEvpAllocateNothing() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nativeFrame = arena.allocate(16384, 64);
            MemorySegment heapFrame = MemorySegment.ofArray(new byte[16384]);
            for (Function<byte[], PacketAead> impl : List.<Function<byte[], PacketAead>>of(OpenSslPacketAead::new, PacketAeads::create)) {
                assertZero(impl, nativeFrame, LARGE);
                assertZero(impl, heapFrame, LARGE);
            }
        }
    }

    private static void assertZero(Function<byte[], PacketAead> impl, MemorySegment frame) {
        assertZero(impl, frame, SIZES);
    }

    private static void assertZero(Function<byte[], PacketAead> impl, MemorySegment frame, int[] sizes) {
        try (PacketAead a = impl.apply(new byte[32])) {
            long tid = Thread.currentThread().threadId();
            // Warm up until two rounds in a row neither allocate nor see the JIT compile anything:
            // a round that is quiet only because C2 is still queued (2 loaded cores) is not steady.
            int quietRounds = 0;
            for (int round = 0; round < 80 && quietRounds < 2; round++) { // 80 x 60k pairs at most
                long jit = JIT.getTotalCompilationTime();
                long before = THREADS.getThreadAllocatedBytes(tid);
                if (!cycle(a, frame, 20_000, sizes)) {
                    throw new AssertionError("open failed during warm-up");
                }
                boolean quiet = THREADS.getThreadAllocatedBytes(tid) == before && JIT.getTotalCompilationTime() == jit;
                quietRounds = quiet ? quietRounds + 1 : 0;
            }
            assertEquals(2, quietRounds, a.implementation() + " still allocates or compiles after warm-up");
            // A measured round may still catch a late JIT event (a deoptimization rematerializes
            // vector boxes). Such a round is retried; allocation without any JIT activity fails at once.
            for (int attempt = 1; ; attempt++) {
                long jit = JIT.getTotalCompilationTime();
                long before = THREADS.getThreadAllocatedBytes(tid);
                boolean ok = cycle(a, frame, 66_667, sizes); // 200k seal+open pairs over the three sizes
                long allocated = THREADS.getThreadAllocatedBytes(tid) - before;
                boolean jitActive = JIT.getTotalCompilationTime() != jit;
                assertTrue(ok);
                if (allocated == 0 || !jitActive || attempt == 3) {
                    assertEquals(0, allocated, a.implementation() + " (" + (frame.isNative() ? "native" : "heap")
                            + ") allocated bytes over 200k seal+open pairs" + (jitActive ? " (JIT active)" : ""));
                    return;
                }
            }
        }
    }

    private static boolean cycle(PacketAead a, MemorySegment frame, int n, int[] sizes) {
        boolean ok = true;
        for (int i = 0; i < n; i++) {
            for (int size : sizes) {
                a.seal(frame, 42, size, i);
                ok &= a.open(frame, 42, size, i);
            }
        }
        return ok;
    }
}
