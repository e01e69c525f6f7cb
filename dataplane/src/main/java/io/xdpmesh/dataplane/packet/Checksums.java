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
        long s = 0;
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            long v = UnsafeApi.getLong(a + i);
            s += (v & 0xffffffffL) + (v >>> 32);
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
     * Recomputes the TCP or UDP checksum of a packet whose IP header is at ip, transport header at
     * l4 with l4Len bytes: what the sender's checksum offload left partial is completed here.
     * A UDP/IPv4 checksum of 0 means "none" and stays 0. Returns false for other protocols.
     */
    public static boolean completeL4(long ip, int version, int proto, long l4, int l4Len) {
        int field;
        if (proto == PROTO_TCP) {
            field = 16;
        } else if (proto == PROTO_UDP) {
            field = 6;
            if (version == 4 && Mem.be16(l4 + 6) == 0) {
                return true;
            }
        } else {
            return false;
        }
        long s = pseudo(ip, version, proto, l4Len);
        Mem.putBe16(l4 + field, 0);
        s += sum(l4, l4Len);
        int c = ~fold(s) & 0xffff;
        if (c == 0 && proto == PROTO_UDP) {
            c = 0xffff;
        }
        Mem.putBe16(l4 + field, c);
        return true;
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
