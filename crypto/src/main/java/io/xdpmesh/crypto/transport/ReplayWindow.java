package io.xdpmesh.crypto.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The anti-replay window of WireGuard: 8192 bits of which 8128 are usable, with the same
 * accept/reject decisions as the kernel's counter_validate and wireguard-go's replay.ReplayFilter
 * (RFC 6479), and safe when several dataplane threads open packets of one keypair at once.
 *
 * <p>Counters are unsigned 64-bit. A counter at or above the limit
 * ({@link WireGuardConstants#REJECT_AFTER_MESSAGES} by default) is rejected; a counter more than
 * {@link #WINDOW_SIZE} below the highest one accepted is rejected as too old; otherwise each
 * counter is accepted exactly once.
 *
 * <p>Lock-free: the bitmap is 256 slots, each one 64-bit word holding a block number (the
 * counter's upper bits, 32 of them kept) and the 32 bits of that block. A counter is accepted by
 * one compare-and-set that either sets its clear bit in its block's slot, or replaces a slot that
 * holds an older block (one 8192 counters behind, outside the window) with its block and only its
 * bit. A block's tag in a slot only ever grows, so each (block, bit) goes from clear to set at most
 * once: no counter is accepted twice, whatever the interleaving. The highest counter is raised by
 * compare-and-set as well and only serves the age rule. Within the window the kept 32 block bits
 * are exact (blocks there differ by less than 2^31). Allocation-free.
 */
public final class ReplayWindow {
    public static final int BITS_TOTAL = 8192;
    private static final int BLOCK_BITS_LOG = 5;
    private static final int BLOCK_BITS = 1 << BLOCK_BITS_LOG;
    private static final int SLOTS = BITS_TOTAL / BLOCK_BITS;
    /** Usable window: counters up to this far below the highest accepted one are still checked. */
    public static final long WINDOW_SIZE = BITS_TOTAL - 64;

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle HIGHEST;

    static {
        try {
            HIGHEST = MethodHandles.lookup().findVarHandle(ReplayWindow.class, "highest", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Per slot: block number (low 32 bits of counter >>> 5) in the upper half, its bits in the lower. */
    private final long[] slots = new long[SLOTS];
    /** Highest counter accepted so far (unsigned); 0 with nothing seen yet. */
    @SuppressWarnings("unused") // through HIGHEST
    private long highest;

    /** Forgets everything; only while no thread uses the window. */
    public void reset() {
        Arrays.fill(slots, 0);
        HIGHEST.setVolatile(this, 0L);
    }

    /** Highest counter accepted so far (unsigned), 0 before any. */
    public long highest() {
        return (long) HIGHEST.getAcquire(this);
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
        if (Long.compareUnsigned(counter, limit) >= 0 || tooOld(counter)) {
            return false;
        }
        int block = (int) (counter >>> BLOCK_BITS_LOG);
        int s = block & (SLOTS - 1);
        long bit = 1L << (counter & (BLOCK_BITS - 1));
        while (true) {
            long v = (long) SLOT.getVolatile(slots, s);
            int age = block - (int) (v >>> 32);
            long next;
            if (age == 0) {
                if ((v & bit) != 0) {
                    return false;
                }
                next = v | bit;
            } else if (age > 0) {
                next = ((long) block << 32) | bit; // the slot's block is 8192+ counters older: recycle it
            } else {
                return false; // the slot already serves a newer block: this counter is far too old
            }
            if (SLOT.compareAndSet(slots, s, v, next)) {
                break;
            }
        }
        long h = (long) HIGHEST.getVolatile(this);
        while (Long.compareUnsigned(counter, h) > 0 && !HIGHEST.compareAndSet(this, h, counter)) {
            h = (long) HIGHEST.getVolatile(this);
        }
        return true;
    }

    private boolean tooOld(long counter) {
        long h = (long) HIGHEST.getAcquire(this);
        return Long.compareUnsigned(counter, h) <= 0 && Long.compareUnsigned(h - counter, WINDOW_SIZE) > 0;
    }

    /** The decision {@link #validate(long, long)} would take now, without recording anything. */
    public boolean wouldAccept(long counter, long limit) {
        if (Long.compareUnsigned(counter, limit) >= 0 || tooOld(counter)) {
            return false;
        }
        int block = (int) (counter >>> BLOCK_BITS_LOG);
        long v = (long) SLOT.getVolatile(slots, block & (SLOTS - 1));
        int age = block - (int) (v >>> 32);
        return age > 0 || age == 0 && (v & (1L << (counter & (BLOCK_BITS - 1)))) == 0;
    }
}
