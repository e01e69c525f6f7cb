package io.xdpmesh.crypto.transport;

/**
 * The anti-replay window of WireGuard: RFC 6479 with 8192 bits of which 8128 are usable (one
 * 64-bit word is always being recycled), with the same accept/reject decisions as the kernel's
 * counter_validate and wireguard-go's replay.ReplayFilter.
 *
 * <p>Counters are unsigned 64-bit. A counter at or above the limit
 * ({@link WireGuardConstants#REJECT_AFTER_MESSAGES} by default) is rejected; a counter more than
 * {@link #WINDOW_SIZE} below the highest one accepted is rejected as too old; otherwise each
 * counter is accepted exactly once. Not thread-safe: one receiving thread owns a window.
 * Allocation-free.
 */
public final class ReplayWindow {
    public static final int BITS_TOTAL = 8192;
    private static final int WORD_BITS_LOG = 6;
    private static final int WORD_BITS = 1 << WORD_BITS_LOG;
    private static final int WORDS = BITS_TOTAL / WORD_BITS;
    /** Usable window: counters up to this far below the highest accepted one are still checked. */
    public static final long WINDOW_SIZE = BITS_TOTAL - WORD_BITS;

    private final long[] bitmap = new long[WORDS];
    /** Highest counter accepted so far (unsigned); 0 with bit 0 clear means nothing seen yet. */
    private long highest;

    public void reset() {
        highest = 0;
        java.util.Arrays.fill(bitmap, 0);
    }

    /** Highest counter accepted so far (unsigned), 0 before any. */
    public long highest() {
        return highest;
    }

    /** Checks and records {@code counter} against {@link WireGuardConstants#REJECT_AFTER_MESSAGES}. */
    public boolean validate(long counter) {
        return validate(counter, WireGuardConstants.REJECT_AFTER_MESSAGES);
    }

    /**
     * Returns true, and records the counter, if it was never seen and is inside the window and
     * below {@code limit} (unsigned); returns false otherwise and changes nothing visible.
     */
    public boolean validate(long counter, long limit) {
        if (Long.compareUnsigned(counter, limit) >= 0) {
            return false;
        }
        long word = counter >>> WORD_BITS_LOG;
        if (Long.compareUnsigned(counter, highest) > 0) {
            // Slide forward: clear every word that the window newly covers, at most all of them.
            long current = highest >>> WORD_BITS_LOG;
            long advance = Math.min(word - current, WORDS);
            for (long i = 1; i <= advance; i++) {
                bitmap[(int) ((current + i) & (WORDS - 1))] = 0;
            }
            highest = counter;
        } else if (Long.compareUnsigned(highest - counter, WINDOW_SIZE) > 0) {
            return false;
        }
        int w = (int) (word & (WORDS - 1));
        long bit = 1L << (counter & (WORD_BITS - 1));
        long old = bitmap[w];
        bitmap[w] = old | bit;
        return (old & bit) == 0;
    }

    /** The decision {@link #validate(long, long)} would take, without recording anything. */
    public boolean wouldAccept(long counter, long limit) {
        if (Long.compareUnsigned(counter, limit) >= 0) {
            return false;
        }
        if (Long.compareUnsigned(counter, highest) > 0) {
            return true;
        }
        if (Long.compareUnsigned(highest - counter, WINDOW_SIZE) > 0) {
            return false;
        }
        int w = (int) ((counter >>> WORD_BITS_LOG) & (WORDS - 1));
        return (bitmap[w] & (1L << (counter & (WORD_BITS - 1)))) == 0;
    }
}
