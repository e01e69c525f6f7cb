package io.xdpmesh.dataplane.parse;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Network-byte-order accessors on packet memory; unaligned because headers sit anywhere. */
public final class Bytes {
    public static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Bytes() {}

    public static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xff;
    }

    public static int u16(MemorySegment s, long off) {
        return s.get(U16, off) & 0xffff;
    }

    public static int i32(MemorySegment s, long off) {
        return s.get(U32, off);
    }

    public static long i64(MemorySegment s, long off) {
        return s.get(U64, off);
    }

    public static void put8(MemorySegment s, long off, int v) {
        s.set(ValueLayout.JAVA_BYTE, off, (byte) v);
    }

    public static void put16(MemorySegment s, long off, int v) {
        s.set(U16, off, (short) v);
    }

    public static void put32(MemorySegment s, long off, int v) {
        s.set(U32, off, v);
    }

    public static void put64(MemorySegment s, long off, long v) {
        s.set(U64, off, v);
    }
}
