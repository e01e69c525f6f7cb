package io.xdpmesh.dataplane.packet;

import org.agrona.UnsafeApi;

/**
 * Internet checksums (RFC 1071) at absolute addresses, summed 8 bytes at a time. The one's
 * complement sum commutes with byte swapping, so memory is summed as little-endian words and the
 * folded result swapped once.
 */
public final class Checksums {
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;

    private Checksums() {}

    /** Folded, not complemented, big-endian sum of len bytes at a. */
    public static int sum(long a, int len) {
        // Two independent accumulators over 16 bytes per step: the adds of one step do not wait on
        // the other's (a segment's payload is summed per segment on the TSO path). Each add is below
        // 2^33, so neither overflows before 2^30 steps.
        long s = 0;
        long t = 0;
        int i = 0;
        for (; i + 16 <= len; i += 16) {
            long v = UnsafeApi.getLong(a + i);
            long w = UnsafeApi.getLong(a + i + 8);
            s += (v & 0xffffffffL) + (v >>> 32);
            t += (w & 0xffffffffL) + (w >>> 32);
        }
        s = (s & 0xffffffffL) + (s >>> 32) + (t & 0xffffffffL) + (t >>> 32);
        if (i + 8 <= len) {
            long v = UnsafeApi.getLong(a + i);
            s += (v & 0xffffffffL) + (v >>> 32);
            i += 8;
        }
        if (i + 4 <= len) {
            s += UnsafeApi.getInt(a + i) & 0xffffffffL;
            i += 4;
        }
        if (i + 2 <= len) {
            s += UnsafeApi.getShort(a + i) & 0xffff;
            i += 2;
        }
        if (i < len) {
            s += UnsafeApi.getByte(a + i) & 0xff;
        }
        int f = fold(s);
        return Short.reverseBytes((short) f) & 0xffff;
    }

    public static int fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    /** IPv4 header checksum field value for the ihl-byte header at ip (field treated as zero). */
    public static void ipv4Header(long ip, int ihl) {
        Mem.putBe16(ip + 10, 0);
        Mem.putBe16(ip + 10, ~sum(ip, ihl) & 0xffff);
    }

    /**
     * Completes the TCP or UDP checksum of a packet whose IP header is at ip, transport header at
     * l4 with l4Len bytes, when the sender's checksum offload left it partial; returns false for
     * other protocols. A UDP/IPv4 checksum of 0 means "none" and stays 0.
     *
     * <p>Partial (CHECKSUM_PARTIAL on veth) means the field holds the folded pseudo-header sum and
     * nothing else; only then is the payload summed. The test is conservative: a complete checksum
     * that happens to equal the pseudo-header sum is recomputed (to the same value), and any other
     * field is left as the sender made it, so a corrupted packet stays detectably corrupted.
     */
    public static boolean completeL4(long ip, int version, int proto, long l4, int l4Len) {
        int field = l4FieldOffset(version, proto, l4);
        if (field < 0) {
            return field == UDP4_NO_CHECKSUM;
        }
        long pseudo = pseudo(ip, version, proto, l4Len);
        if (Mem.be16(l4 + field) != fold(pseudo)) {
            return true; // complete already (or broken by the sender: not ours to hide)
        }
        Mem.putBe16(l4 + field, 0);
        Mem.putBe16(l4 + field, finish(pseudo + sum(l4, l4Len), proto));
        return true;
    }

    /** Recomputes the TCP/UDP checksum whatever the field holds (segments and fragments we built). */
    public static boolean recomputeL4(long ip, int version, int proto, long l4, int l4Len) {
        int field = l4FieldOffset(version, proto, l4);
        if (field < 0) {
            return field == UDP4_NO_CHECKSUM;
        }
        Mem.putBe16(l4 + field, 0);
        Mem.putBe16(l4 + field, finish(pseudo(ip, version, proto, l4Len) + sum(l4, l4Len), proto));
        return true;
    }

    /** {@link #l4FieldOffset}: UDP over IPv4 without a checksum (leave it 0). */
    static final int UDP4_NO_CHECKSUM = -1;
    /** {@link #l4FieldOffset}: neither TCP nor UDP. */
    static final int NOT_L4 = -2;

    /** Offset of the checksum field in the transport header at l4, or a negative reason. */
    static int l4FieldOffset(int version, int proto, long l4) {
        if (proto == PROTO_TCP) {
            return 16;
        }
        if (proto == PROTO_UDP) {
            return version == 4 && Mem.be16(l4 + 6) == 0 ? UDP4_NO_CHECKSUM : 6;
        }
        return NOT_L4;
    }

    /** True when the field at l4 holds only the pseudo-header sum: what CHECKSUM_PARTIAL leaves. */
    public static boolean isPartial(long ip, int version, int proto, long l4, int l4Len) {
        int field = l4FieldOffset(version, proto, l4);
        return field >= 0 && Mem.be16(l4 + field) == fold(pseudo(ip, version, proto, l4Len));
    }

    /** The checksum field value for an unfolded sum (UDP sends 0 as 0xffff). */
    static int finish(long s, int proto) {
        int c = ~fold(s) & 0xffff;
        return c == 0 && proto == PROTO_UDP ? 0xffff : c;
    }

    /**
     * RFC 1624 incremental update of a checksum field value when one 16-bit word of the summed data
     * changes from oldWord to newWord: HC' = ~(~HC + ~m + m').
     */
    public static int update16(int checksum, int oldWord, int newWord) {
        return ~fold((~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff)) & 0xffff;
    }

    /** The pseudo-header sum (not folded) for the IPv4 or IPv6 header at ip. */
    public static long pseudo(long ip, int version, int proto, int l4Len) {
        if (version == 4) {
            return sum(ip + 12, 8) + proto + l4Len;
        }
        return sum(ip + 8, 32) + proto + l4Len;
    }

    /** True when the TCP/UDP checksum at l4 verifies (tests and diagnostics). */
    public static boolean verifyL4(long ip, int version, int proto, long l4, int l4Len) {
        if (proto == PROTO_UDP && version == 4 && Mem.be16(l4 + 6) == 0) {
            return true;
        }
        long s = pseudo(ip, version, proto, l4Len) + sum(l4, l4Len);
        return fold(s) == 0xffff;
    }
}
