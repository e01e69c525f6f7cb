package io.xdpmesh.perf.gen;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

import org.agrona.UnsafeApi;

import io.xdpmesh.xdp.xsk.loop.Frames;
import io.xdpmesh.xdp.xsk.loop.PacketSource;

/**
 * Ethernet + IPv4/IPv6 + UDP frames of one size for N flows that differ only in the UDP source
 * port (sport .. sport+N-1). Every UMEM frame gets the whole template once ({@link #prewrite});
 * per packet only the source port and the UDP checksum (precomputed per flow) are written, so IP
 * and UDP checksums are always valid and the send loop allocates nothing.
 */
public final class UdpFlows implements PacketSource {
    public static final int IP6_HLEN = 40;
    private static final int ETH_P_IPV6 = 0x86dd;

    private final int size;
    private final int portOffset;
    private final int csumOffset;
    /** Per flow, already in network byte order: (port, checksum) as two shorts written as-is. */
    private final short[] ports;
    private final short[] csums;
    private final byte[] template;
    private int flow;

    /**
     * @param size frame length handed to the kernel (no FCS): headers (42 IPv4, 62 IPv6) to the MTU + 14
     */
    public UdpFlows(long srcMac, long dstMac, InetAddress src, InetAddress dst, int sport, int dport, int flows,
            int size) {
        boolean v6 = src instanceof Inet6Address;
        if (v6 != (dst instanceof Inet6Address)) {
            throw new IllegalArgumentException("source and destination must both be IPv4 or both IPv6: " + src + ", "
                    + dst);
        }
        int l3 = v6 ? IP6_HLEN : Frames.IP4_HLEN;
        int headers = Frames.ETH_HLEN + l3 + Frames.UDP_HLEN;
        if (size < headers) {
            throw new IllegalArgumentException("frame size " + size + " is below the " + headers + " bytes of "
                    + (v6 ? "Ethernet+IPv6+UDP" : "Ethernet+IPv4+UDP") + " headers");
        }
        if (flows < 1 || sport < 1 || sport + flows - 1 > 65535 || dport < 0 || dport > 65535) {
            throw new IllegalArgumentException("ports: source " + sport + " + " + flows + " flows must stay within "
                    + "1..65535, destination 0..65535");
        }
        this.size = size;
        this.portOffset = Frames.ETH_HLEN + l3;
        this.csumOffset = portOffset + 6;
        this.template = new byte[size];
        this.ports = new short[flows];
        this.csums = new short[flows];
        build(srcMac, dstMac, src, dst, v6, dport);
        for (int f = 0; f < flows; f++) {
            ports[f] = Short.reverseBytes((short) (sport + f));
        }
        flowChecksums(v6, sport);
    }

    private void build(long srcMac, long dstMac, InetAddress src, InetAddress dst, boolean v6, int dport) {
        try (var arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(size, 8);
            long f = seg.address();
            Frames.putMac(f, dstMac);
            Frames.putMac(f + 6, srcMac);
            int udpLen = size - portOffset;
            long udp = f + portOffset;
            if (v6) {
                Frames.putBe16(f + 12, ETH_P_IPV6);
                long ip = f + Frames.ETH_HLEN;
                Frames.putBe32(ip, 0x60000000);
                Frames.putBe16(ip + 4, udpLen);
                Frames.put8(ip + 6, Frames.IPPROTO_UDP);
                Frames.put8(ip + 7, 64);
                putBytes(ip + 8, src.getAddress());
                putBytes(ip + 24, dst.getAddress());
            } else {
                Frames.putBe16(f + 12, Frames.ETH_P_IP);
                long ip = f + Frames.ETH_HLEN;
                Frames.putBe16(ip, 0x4500);
                Frames.putBe16(ip + 2, size - Frames.ETH_HLEN);
                Frames.putBe32(ip + 4, 0x00004000); // id 0, DF
                Frames.put8(ip + 8, 64);
                Frames.put8(ip + 9, Frames.IPPROTO_UDP);
                putBytes(ip + 12, ((Inet4Address) src).getAddress());
                putBytes(ip + 16, ((Inet4Address) dst).getAddress());
                Frames.putBe16(ip + 10, Frames.checksum(ip, Frames.IP4_HLEN, 0));
            }
            Frames.putBe16(udp + 2, dport);
            Frames.putBe16(udp + 4, udpLen);
            for (int i = Frames.UDP_HLEN; i < udpLen; i++) {
                Frames.put8(udp + i, i); // a recognisable payload: byte i of the datagram is i & 0xff
            }
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, template, 0, size);
        }
    }

    /** UDP checksum per flow: the sum without the port is computed once, the port added per flow. */
    private void flowChecksums(boolean v6, int sport) {
        try (var arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(size, 8);
            MemorySegment.copy(template, 0, seg, ValueLayout.JAVA_BYTE, 0, size);
            long f = seg.address();
            long ip = f + Frames.ETH_HLEN;
            int udpLen = size - portOffset;
            // pseudo header: addresses, protocol, UDP length (RFC 768 / RFC 8200 8.1)
            long sum = v6 ? ones(ip + 8, 32) : ones(ip + 12, 8);
            sum += Frames.IPPROTO_UDP + udpLen;
            sum += ones(f + portOffset, udpLen); // source port and checksum are 0 in the template
            for (int fl = 0; fl < csums.length; fl++) {
                long s = sum + sport + fl;
                while ((s >>> 16) != 0) {
                    s = (s & 0xffff) + (s >>> 16);
                }
                int c = (int) (~s & 0xffff);
                csums[fl] = Short.reverseBytes((short) (c == 0 ? 0xffff : c));
            }
        }
    }

    private static long ones(long a, int len) {
        return ~Frames.checksum(a, len, 0) & 0xffff; // folded one's-complement sum
    }

    private static void putBytes(long a, byte[] b) {
        for (int i = 0; i < b.length; i++) {
            UnsafeApi.putByte(a + i, b[i]);
        }
    }

    /** Writes the template into every frame of a UMEM of frameCount frames of frameSize bytes at base. */
    public void prewrite(MemorySegment umem, int frameCount, int frameSize) {
        if (size > frameSize) {
            throw new IllegalArgumentException("frame size " + size + " exceeds the UMEM frame of " + frameSize);
        }
        for (int i = 0; i < frameCount; i++) {
            MemorySegment.copy(template, 0, umem, ValueLayout.JAVA_BYTE, (long) i * frameSize, size);
        }
    }

    @Override
    public int write(long frameAddress, int capacity, long sequence) {
        int f = flow;
        UnsafeApi.putShort(frameAddress + portOffset, ports[f]);
        UnsafeApi.putShort(frameAddress + csumOffset, csums[f]);
        flow = f + 1 == ports.length ? 0 : f + 1;
        return size;
    }

    public int size() {
        return size;
    }

    public int flows() {
        return ports.length;
    }

    /** A copy of the frame of flow f (tests). */
    public byte[] frame(int f) {
        byte[] b = template.clone();
        // the arrays hold network order as little-endian shorts: low byte first
        b[portOffset] = (byte) ports[f];
        b[portOffset + 1] = (byte) (ports[f] >> 8);
        b[csumOffset] = (byte) csums[f];
        b[csumOffset + 1] = (byte) (csums[f] >> 8);
        return b;
    }
}
