package io.xdpmesh.crypto.primitives;

import java.time.Instant;

/**
 * TAI64N timestamps as WireGuard writes them: 8 bytes big-endian (2^62 + 10 + Unix seconds), then
 * 4 bytes big-endian nanoseconds. The nanoseconds are rounded down to a multiple of 2^24 so the
 * timestamp does not leak a fine clock; the receiver only needs them to increase.
 */
public final class Tai64n {
    public static final int BYTES = 12;
    private static final long BASE = 0x400000000000000aL;
    private static final int WHITENER_MASK = 0x1000000 - 1;

    private Tai64n() {}

    public static byte[] of(Instant t) {
        byte[] out = new byte[BYTES];
        write(t, out, 0);
        return out;
    }

    public static void write(Instant t, byte[] out, int off) {
        long secs = BASE + t.getEpochSecond();
        int nanos = t.getNano() & ~WHITENER_MASK;
        for (int i = 0; i < 8; i++) {
            out[off + i] = (byte) (secs >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            out[off + 8 + i] = (byte) (nanos >>> (24 - 8 * i));
        }
    }

    /** True when {@code a} is strictly later than {@code b} (big-endian unsigned comparison). */
    public static boolean after(byte[] a, byte[] b) {
        return java.util.Arrays.compareUnsigned(a, 0, BYTES, b, 0, BYTES) > 0;
    }
}
