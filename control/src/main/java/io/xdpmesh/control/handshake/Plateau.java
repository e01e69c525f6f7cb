package io.xdpmesh.control.handshake;

import java.util.Arrays;

/**
 * Tells when a warm-up has stopped paying: fed one duration per handshake, it takes the median of
 * each block of {@link #BLOCK} and reports a plateau once {@link #PATIENCE} blocks in a row failed to
 * beat the best block so far by {@link #MIN_GAIN}. Medians, because one descheduled handshake on a
 * shared machine must not look like progress or regression.
 */
public final class Plateau {
    static final int BLOCK = 64;
    static final int PATIENCE = 3;
    static final double MIN_GAIN = 0.03;

    private final long[] block = new long[BLOCK];
    private int filled;
    private long best = Long.MAX_VALUE;
    private int stale;
    private int blocks;

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
        return stale >= PATIENCE;
    }

    /** The best block median so far in nanoseconds (Long.MAX_VALUE before the first block). */
    public long bestMedian() {
        return best;
    }

    public int blocks() {
        return blocks;
    }
}
