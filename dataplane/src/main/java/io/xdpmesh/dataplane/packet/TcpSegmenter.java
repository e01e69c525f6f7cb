package io.xdpmesh.dataplane.packet;

/**
 * TCP segmentation offload in software: a TCP superframe from a pod (larger than the tunnel MTU)
 * becomes segments that each fit it, as a NIC's TSO would cut them. Every segment carries the
 * superframe's link, IP and TCP headers with: sequence number advanced by the payload before it,
 * IPv4 id incremented per segment and header checksum recomputed (IPv6: payload length), FIN and
 * PSH only on the last segment, CWR only on the first, and a TCP checksum computed in full (the
 * sender's veth left it partial). SYN, RST and URG superframes are not segmented ({@link #segmentable}).
 * Stateless and allocation-free: the caller hands in a destination frame per segment.
 */
public final class TcpSegmenter {
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int URG = 0x20;
    public static final int CWR = 0x80;

    private TcpSegmenter() {}

    /** {@link #plan}: not TCP that may be cut (answer with ICMP or fragment instead). */
    public static final int NOT_SEGMENTABLE = 0;
    /** {@link #plan}: TCP, but the MTU leaves too little room per segment. */
    public static final int MTU_TOO_SMALL = -1;

    /**
     * Checks the TCP superframe parsed into pf (from the packet in src) and returns the payload per
     * segment for the IP MTU mtu, or {@link #NOT_SEGMENTABLE} (not TCP, a fragment, SYN/RST/URG, the
     * TCP header not whole in the first piece or beyond the IP packet) or {@link #MTU_TOO_SMALL}
     * (fewer than minMss bytes per segment, or a segment would not fit frameRoom bytes).
     */
    public static int plan(Chain src, io.xdpmesh.dataplane.parse.ParsedFrame pf, int mtu, int minMss, int frameRoom) {
        if (pf.protocol != Checksums.PROTO_TCP || pf.fragment || pf.l4Offset < 0 || pf.l4Offset + 20 > src.len(0)) {
            return NOT_SEGMENTABLE;
        }
        long tcp = src.abs(0) + pf.l4Offset;
        int thl = headerLength(tcp);
        if (thl < 20 || pf.l4Offset + thl > src.len(0) || pf.l4Offset + thl > pf.l3Offset + pf.ipPacketLength
                || pf.l3Offset + pf.ipPacketLength > src.total() || !segmentable(Mem.u8(tcp + 13))) {
            return NOT_SEGMENTABLE;
        }
        int mss = mss(mtu, pf.l4Offset - pf.l3Offset, thl);
        if (mss < minMss || pf.l4Offset + thl + mss > frameRoom) {
            return MTU_TOO_SMALL;
        }
        return mss;
    }

    /** TCP header length at absolute tcp (data offset field). */
    public static int headerLength(long tcp) {
        return (Mem.u8(tcp + 12) >>> 4) * 4;
    }

    /** True when a TCP packet with these flags may be cut into segments. */
    public static boolean segmentable(int flags) {
        return (flags & (SYN | RST | URG)) == 0;
    }

    /** Payload bytes per segment for an IP MTU, or 0 when the headers alone do not fit. */
    public static int mss(int mtu, int ipHeaderLength, int tcpHeaderLength) {
        return Math.max(0, mtu - ipHeaderLength - tcpHeaderLength);
    }

    public static int segments(int payload, int mss) {
        return payload == 0 ? 1 : (payload + mss - 1) / mss;
    }

    /**
     * Writes segment {@code index} of the superframe in {@code src} to the absolute address dst and
     * returns its frame length. l3 and l4 are the logical offsets of the IP and TCP headers (both in
     * the first piece), ipHeaderLength includes IPv4 options or IPv6 extension headers, payload is
     * the superframe's TCP payload length.
     */
    public static int write(Chain src, int l3, int version, int ipHeaderLength, int l4, int tcpHeaderLength,
            int payload, int mss, int index, long dst) {
        int off = index * mss;
        int len = Math.min(mss, payload - off);
        int headers = l4 + tcpHeaderLength;
        Mem.copy(src.abs(0), dst, headers);
        src.copy(headers + off, dst + headers, len);
        long ip = dst + l3;
        long tcp = dst + l4;
        int tcpLen = tcpHeaderLength + len;
        if (version == 4) {
            Mem.putBe16(ip + 2, ipHeaderLength + tcpLen);
            Mem.putBe16(ip + 4, Mem.be16(ip + 4) + index);
            Checksums.ipv4Header(ip, ipHeaderLength);
        } else {
            Mem.putBe16(ip + 4, (l4 - l3 - 40) + tcpLen);
        }
        Mem.putBe32(tcp + 4, Mem.be32(tcp + 4) + off);
        int flags = Mem.u8(tcp + 13);
        boolean last = off + len >= payload;
        if (!last) {
            flags &= ~(FIN | PSH);
        }
        if (index > 0) {
            flags &= ~CWR;
        }
        Mem.put8(tcp + 13, flags);
        Mem.putBe16(tcp + 16, 0);
        int c = ~Checksums.fold(Checksums.pseudo(ip, version, Checksums.PROTO_TCP, tcpLen) + Checksums.sum(tcp, tcpLen));
        Mem.putBe16(tcp + 16, c & 0xffff);
        return headers + len;
    }
}
