package io.xdpmesh.xdp.xsk.loop;

import io.xdpmesh.xdp.mem.NetOrder;
import org.agrona.UnsafeApi;

/**
 * Minimal Ethernet/IPv4/UDP/ICMP reading and writing at absolute addresses (UMEM address +
 * frame offset), network byte order, allocation-free. For the loops and generators of this
 * package; the dataplane has its own parser.
 */
public final class Frames extends NetOrder {
    public static final int ETH_HLEN = 14;
    public static final int IP4_HLEN = 20;
    public static final int UDP_HLEN = 8;
    public static final int ETH_P_IP = 0x0800;
    public static final int IPPROTO_ICMP = 1;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    /** Ethernet + IPv4 + UDP headers. */
    public static final int UDP4_HEADERS = ETH_HLEN + IP4_HLEN + UDP_HLEN;

    private Frames() {
    }

    /** Swaps destination and source MAC addresses in place. */
    public static void swapMacs(long frame) {
        int d4 = UnsafeApi.getInt(frame);
        short d2 = UnsafeApi.getShort(frame + 4);
        UnsafeApi.putInt(frame, UnsafeApi.getInt(frame + 6));
        UnsafeApi.putShort(frame + 4, UnsafeApi.getShort(frame + 10));
        UnsafeApi.putInt(frame + 6, d4);
        UnsafeApi.putShort(frame + 10, d2);
    }

    /** Parses dotted IPv4 (set-up only). */
    public static int parseIp4(String s) {
        String[] p = s.trim().split("\\.");
        if (p.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + s);
        }
        int v = 0;
        for (String x : p) {
            int o = Integer.parseInt(x);
            if (o < 0 || o > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + s);
            }
            v = (v << 8) | o;
        }
        return v;
    }

    /** Internet checksum (RFC 1071) over len bytes, folded and complemented. */
    public static int checksum(long a, int len, int initial) {
        long sum = initial & 0xffffffffL;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            sum += be16(a + i);
        }
        if (i < len) {
            sum += u8(a + i) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /**
     * One's-complement sum of len bytes as big-endian 16-bit words (a trailing odd byte is the
     * high half of a word), not folded. Add pieces with {@link #addAt}, finish with {@link #fold}.
     */
    public static long sum(long a, int len) {
        long sum = 0;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            sum += be16(a + i);
        }
        if (i < len) {
            sum += u8(a + i) << 8;
        }
        return sum;
    }

    /**
     * Adds the sum of a piece that starts at byte offset {@code offset} of the checksummed data:
     * a piece at an odd offset has its bytes in the other halves of the words (RFC 1071 byte swap).
     */
    public static long addAt(long total, long pieceSum, long offset) {
        int folded = (int) fold16(pieceSum);
        return total + ((offset & 1) == 0 ? folded : ((folded & 0xff) << 8 | folded >>> 8));
    }

    private static long fold16(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return sum;
    }

    /** Folds a sum to 16 bits and complements it: the checksum field value. */
    public static int fold(long sum) {
        return (int) (~fold16(sum) & 0xffff);
    }

    /**
     * Writes Ethernet + IPv4 + UDP headers for a payload of payloadLen bytes that the caller
     * writes at frame + UDP4_HEADERS. UDP checksum 0 (none, legal in IPv4). Returns the frame length.
     */
    public static int writeUdp4(long frame, long srcMac, long dstMac, int srcIp, int dstIp, int srcPort,
            int dstPort, int payloadLen) {
        putMac(frame, dstMac);
        putMac(frame + 6, srcMac);
        putBe16(frame + 12, ETH_P_IP);
        long ip = frame + ETH_HLEN;
        putBe16(ip, 0x4500);
        putBe16(ip + 2, IP4_HLEN + UDP_HLEN + payloadLen);
        putBe32(ip + 4, 0x00004000); // id 0, DF
        put8(ip + 8, 64);
        put8(ip + 9, IPPROTO_UDP);
        putBe16(ip + 10, 0);
        putBe32(ip + 12, srcIp);
        putBe32(ip + 16, dstIp);
        putBe16(ip + 10, checksum(ip, IP4_HLEN, 0));
        long udp = ip + IP4_HLEN;
        putBe16(udp, srcPort);
        putBe16(udp + 2, dstPort);
        putBe16(udp + 4, UDP_HLEN + payloadLen);
        putBe16(udp + 6, 0);
        return UDP4_HEADERS + payloadLen;
    }

    /** Rewrites the UDP source port of a frame written by writeUdp4 (checksum 0 stays valid). */
    public static void setUdp4SrcPort(long frame, int port) {
        putBe16(frame + ETH_HLEN + IP4_HLEN, port);
    }

    /** Rewrites the IPv4 source address and patches the header checksum incrementally (RFC 1624). */
    public static void setIp4Src(long frame, int srcIp) {
        long ip = frame + ETH_HLEN;
        int old = be32(ip + 12);
        putBe32(ip + 12, srcIp);
        int hc = be16(ip + 10);
        int sum = (~hc & 0xffff) + (~(old >>> 16) & 0xffff) + (~old & 0xffff) + (srcIp >>> 16) + (srcIp & 0xffff);
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        putBe16(ip + 10, ~sum & 0xffff);
    }
}
