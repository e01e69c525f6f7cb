package io.xdpmesh.crypto.interop;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Minimal IPv4 + ICMP echo handling for the interop peer (the tunnel's inner packets). */
final class IcmpEcho {
    static final int IPV4_HEADER = 20;

    private IcmpEcho() {}

    static int u8(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at) & 0xff;
    }

    static int u16(MemorySegment s, long at) {
        return u8(s, at) << 8 | u8(s, at + 1);
    }

    static void put16(MemorySegment s, long at, int v) {
        s.set(ValueLayout.JAVA_BYTE, at, (byte) (v >>> 8));
        s.set(ValueLayout.JAVA_BYTE, at + 1, (byte) v);
    }

    static int ipHeaderLength(MemorySegment s, long ip) {
        return (u8(s, ip) & 0x0f) * 4;
    }

    /** True for an IPv4 ICMP message of {@code type} (8 request, 0 reply) with a sane header. */
    static boolean isIcmp(MemorySegment s, long ip, int len, int type) {
        if (len < IPV4_HEADER + 8 || (u8(s, ip) >>> 4) != 4 || u8(s, ip + 9) != 1) {
            return false;
        }
        int ihl = ipHeaderLength(s, ip);
        return ihl >= IPV4_HEADER && len >= ihl + 8 && u8(s, ip + ihl) == type;
    }

    /** Turns the echo request at {@code ip} into the echo reply, in place: swap addresses, type 0, checksums. */
    static void toReply(MemorySegment s, long ip, int len) {
        int ihl = ipHeaderLength(s, ip);
        for (int i = 0; i < 4; i++) {
            byte src = s.get(ValueLayout.JAVA_BYTE, ip + 12 + i);
            s.set(ValueLayout.JAVA_BYTE, ip + 12 + i, s.get(ValueLayout.JAVA_BYTE, ip + 16 + i));
            s.set(ValueLayout.JAVA_BYTE, ip + 16 + i, src);
        }
        s.set(ValueLayout.JAVA_BYTE, ip + 8, (byte) 64);
        put16(s, ip + 10, 0);
        put16(s, ip + 10, checksum(s, ip, ihl));
        long icmp = ip + ihl;
        s.set(ValueLayout.JAVA_BYTE, icmp, (byte) 0);
        put16(s, icmp + 2, 0);
        put16(s, icmp + 2, checksum(s, icmp, len - ihl));
    }

    /** Writes an echo request of {@code total} bytes from {@code src} to {@code dst} at {@code ip}. */
    static void writeRequest(MemorySegment s, long ip, int total, byte[] src, byte[] dst, int id, int seq) {
        for (int i = 0; i < total; i++) {
            s.set(ValueLayout.JAVA_BYTE, ip + i, (byte) (i < 28 ? 0 : i));
        }
        s.set(ValueLayout.JAVA_BYTE, ip, (byte) 0x45);
        put16(s, ip + 2, total);
        put16(s, ip + 4, seq);
        s.set(ValueLayout.JAVA_BYTE, ip + 8, (byte) 64);
        s.set(ValueLayout.JAVA_BYTE, ip + 9, (byte) 1);
        for (int i = 0; i < 4; i++) {
            s.set(ValueLayout.JAVA_BYTE, ip + 12 + i, src[i]);
            s.set(ValueLayout.JAVA_BYTE, ip + 16 + i, dst[i]);
        }
        put16(s, ip + 10, checksum(s, ip, IPV4_HEADER));
        long icmp = ip + IPV4_HEADER;
        s.set(ValueLayout.JAVA_BYTE, icmp, (byte) 8);
        put16(s, icmp + 4, id);
        put16(s, icmp + 6, seq);
        put16(s, icmp + 2, checksum(s, icmp, total - IPV4_HEADER));
    }

    /** The RFC 1071 Internet checksum; 0 when computed over a region whose checksum field is correct. */
    static int checksum(MemorySegment s, long at, int len) {
        long sum = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += u16(s, at + i);
        }
        if ((len & 1) != 0) {
            sum += u8(s, at + len - 1) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
