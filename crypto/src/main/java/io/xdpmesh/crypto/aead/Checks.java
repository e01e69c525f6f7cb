package io.xdpmesh.crypto.aead;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Argument checks and the wipe shared by the implementations. */
final class Checks {
    private Checks() {
    }

    /** The region [off, off + len + tag) must lie inside the segment. */
    static void region(MemorySegment seg, long off, int len) {
        if (off < 0 || len < 0 || off > seg.byteSize() - len - PacketAead.TAG_BYTES) {
            throw new IndexOutOfBoundsException("region off=" + off + " len=" + len + "+16 outside segment of "
                    + seg.byteSize() + " bytes");
        }
    }

    /** Zeroes [off, off + len) without creating a slice. */
    static void wipe(MemorySegment seg, long off, int len) {
        long p = off;
        long end = off + len;
        for (; p + 8 <= end; p += 8) {
            seg.set(ValueLayout.JAVA_LONG_UNALIGNED, p, 0L);
        }
        for (; p < end; p++) {
            seg.set(ValueLayout.JAVA_BYTE, p, (byte) 0);
        }
    }
}
