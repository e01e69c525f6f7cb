package io.xdpmesh.xdp.mem;

import org.agrona.UnsafeApi;

/**
 * Network-byte-order reads and writes at absolute addresses (a UMEM base plus a frame offset),
 * allocation-free. The one copy of these accessors: the dataplane's {@code Mem} and the loops'
 * {@code Frames} extend this class, so their callers keep writing {@code Mem.be16(a)}.
 */
public class NetOrder {
    protected NetOrder() {}

    public static int u8(long a) {
        return UnsafeApi.getByte(a) & 0xff;
    }

    public static int be16(long a) {
        return Short.reverseBytes(UnsafeApi.getShort(a)) & 0xffff;
    }

    public static int be32(long a) {
        return Integer.reverseBytes(UnsafeApi.getInt(a));
    }

    public static long be64(long a) {
        return Long.reverseBytes(UnsafeApi.getLong(a));
    }

    public static void put8(long a, int v) {
        UnsafeApi.putByte(a, (byte) v);
    }

    public static void putBe16(long a, int v) {
        UnsafeApi.putShort(a, Short.reverseBytes((short) v));
    }

    public static void putBe32(long a, int v) {
        UnsafeApi.putInt(a, Integer.reverseBytes(v));
    }

    public static void putBe64(long a, long v) {
        UnsafeApi.putLong(a, Long.reverseBytes(v));
    }

    /** Writes a 6-byte MAC given as the low 48 bits of a long (first octet most significant). */
    public static void putMac(long a, long mac) {
        putBe16(a, (int) (mac >>> 32));
        putBe32(a + 2, (int) mac);
    }

    /** Reads a 6-byte MAC into the low 48 bits of a long (first octet most significant). */
    public static long mac(long a) {
        return ((long) be16(a) << 32) | (be32(a + 2) & 0xffffffffL);
    }

    /** Parses "aa:bb:cc:dd:ee:ff" (set-up only). */
    public static long parseMac(String s) {
        String[] p = s.trim().split(":");
        if (p.length != 6) {
            throw new IllegalArgumentException("not a MAC address: " + s);
        }
        long v = 0;
        for (String x : p) {
            v = (v << 8) | Integer.parseInt(x, 16);
        }
        return v;
    }

    /** "aa:bb:cc:dd:ee:ff" (set-up and messages only). */
    public static String macString(long mac) {
        StringBuilder b = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            b.append(String.format("%02x", (mac >>> (8 * i)) & 0xff));
            if (i > 0) {
                b.append(':');
            }
        }
        return b.toString();
    }
}
