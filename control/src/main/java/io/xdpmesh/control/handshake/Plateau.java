package io.xdpmesh.control.handshake;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Tells when a warm-up has stopped paying: fed one duration per handshake, it takes the median of
 * each block of {@link #BLOCK} and reports a plateau once {@link #PATIENCE} blocks in a row failed to
 * beat the best block so far by {@link #MIN_GAIN}. Medians, because one descheduled handshake on a
 * shared machine must not look like progress or regression.
 *
 * <p>With a JIT clock ({@link #untilJitQuiet()}) a plateau also needs the last block to have
 * spent at most {@link #MAX_JIT_SHARE} of its wall time in the JIT's compiler threads. Medians
 * flatten while C2 is still busy: agents whose warm-up stopped there compiled at 30-40 % of a core
 * through their first hundred real pairs, on a 2-core machine where those pairs' handshakes
 * needed that core (first-packet p50 6.9 ms over the first 50 pairs, 4.7 ms over pairs 150-200).
 */
public final class Plateau {
    static final int BLOCK = 64;
    static final int PATIENCE = 3;
    static final double MIN_GAIN = 0.03;
    static final double MAX_JIT_SHARE = 0.05;

    /** Milliseconds the JIT has spent compiling so far, or null: medians alone decide. */
    private final LongSupplier jitMillis;
    private final LongSupplier clockNanos;
    private long blockStartNanos;
    private long blockStartJit;
    private double lastJitShare = Double.NaN;

    private final long[] block = new long[BLOCK];
    private int filled;
    private long best = Long.MAX_VALUE;
    private int stale;
    private int blocks;

    /** Medians alone decide. */
    public Plateau() {
        this(null, System::nanoTime);
    }

    /** A plateau needs flat medians and a quiet JIT ({@code jitMillis}: compile time so far). */
    Plateau(LongSupplier jitMillis, LongSupplier clockNanos) {
        this.jitMillis = jitMillis;
        this.clockNanos = clockNanos;
        if (jitMillis != null) {
            blockStartNanos = clockNanos.getAsLong();
            blockStartJit = jitMillis.getAsLong();
        }
    }

    /** Flat medians and a JIT that has (nearly) stopped compiling; medians alone where the JVM cannot say. */
    public static Plateau untilJitQuiet() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return new Plateau();
        }
        return new Plateau(jit::getTotalCompilationTime, System::nanoTime);
    }

    /** One more sample; true once the medians have stopped falling. */
    public boolean add(long nanos) {
        block[filled++] = nanos;
        if (filled < BLOCK) {
            return flat();
        }
        filled = 0;
        blocks++;
        long[] sorted = block.clone();
        Arrays.sort(sorted);
        long median = sorted[BLOCK / 2];
        if (jitMillis != null) {
            long now = clockNanos.getAsLong();
            long jit = jitMillis.getAsLong();
            lastJitShare = (jit - blockStartJit) * 1e6 / Math.max(1, now - blockStartNanos);
            blockStartNanos = now;
            blockStartJit = jit;
        }
        if (median < best * (1 - MIN_GAIN)) {
            best = median;
            stale = 0;
        } else {
            best = Math.min(best, median);
            stale++;
        }
        return flat();
    }

    public boolean flat() {
        return stale >= PATIENCE && (jitMillis == null || lastJitShare <= MAX_JIT_SHARE);
    }

    /** The JIT's share of the last block's wall time (NaN without a JIT clock or a block). */
    public double lastJitShare() {
        return lastJitShare;
    }

    /** The best block median so far in nanoseconds (Long.MAX_VALUE before the first block). */
    public long bestMedian() {
        return best;
    }

    public int blocks() {
        return blocks;
    }
}
