package io.xdpmesh.perf.crypto;

import io.xdpmesh.crypto.aead.PacketAead;
import io.xdpmesh.crypto.aead.PacketAeads;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The same per-packet seal/open as {@link AeadBench} (factory, native frame, payload at 58), timed
 * by this thread's CPU time instead of the wall clock, the way {@code openssl speed} times itself:
 * on a shared, loaded machine that is the like-for-like comparison. Warms up for a few seconds
 * (the Vector API code must be C2-compiled), then reports the fastest of five rounds.
 * Prints one line per point: "seal|open size ns GB/s".
 */
public final class CpuTimeBench {
    private static final long OFF = 58;

    private CpuTimeBench() {
    }

    public static void main(String[] args) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        byte[] key = new byte[32];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) (i * 7 + 1);
        }
        try (Arena arena = Arena.ofConfined(); PacketAead aead = PacketAeads.create(key)) {
            MemorySegment frame = arena.allocate(4096, 4096);
            MemorySegment sealed = arena.allocate(4096, 64);
            for (long i = 0; i < 4096; i++) {
                frame.set(ValueLayout.JAVA_BYTE, i, (byte) i);
            }
            for (int size : new int[] {64, 256, 1420}) {
                aead.seal(frame, OFF, size, 42);
                sealed.copyFrom(frame);
                int n = 400_000_000 / (size + 400); // ~0.2-0.5 s of CPU per round
                long warmEnd = System.nanoTime() + 3_000_000_000L;
                while (System.nanoTime() < warmEnd) {
                    seal(aead, frame, size, n / 10);
                    open(aead, frame, sealed, size, n / 10);
                }
                double bestSeal = Double.MAX_VALUE, bestOpen = Double.MAX_VALUE;
                for (int round = 0; round < 5; round++) {
                    long t0 = threads.getCurrentThreadCpuTime();
                    seal(aead, frame, size, n);
                    long t1 = threads.getCurrentThreadCpuTime();
                    open(aead, frame, sealed, size, n);
                    long t2 = threads.getCurrentThreadCpuTime();
                    bestSeal = Math.min(bestSeal, (t1 - t0) / (double) n);
                    bestOpen = Math.min(bestOpen, (t2 - t1) / (double) n);
                }
                System.out.printf("seal %d %.1f %.3f%n", size, bestSeal, size / bestSeal);
                System.out.printf("open %d %.1f %.3f%n", size, bestOpen, size / bestOpen);
            }
        }
    }

    private static void seal(PacketAead aead, MemorySegment frame, int size, int n) {
        for (int i = 0; i < n; i++) {
            aead.seal(frame, OFF, size, i);
        }
    }

    /** Copies the sealed packet back before each open, as AeadBench does. */
    private static void open(PacketAead aead, MemorySegment frame, MemorySegment sealed, int size, int n) {
        for (int i = 0; i < n; i++) {
            MemorySegment.copy(sealed, OFF, frame, OFF, size + 16L);
            if (!aead.open(frame, OFF, size, 42)) {
                throw new IllegalStateException("open failed");
            }
        }
    }
}
