package io.xdpmesh.dataplane.packet;

/**
 * Builds ICMP "fragmentation needed" (IPv4, type 3 code 4) and ICMPv6 "packet too big" (type 2)
 * answers to a pod packet that does not fit the tunnel, so the pod's stack lowers its path MTU.
 * The answer comes from the pod's gateway address (the one its default route points at).
 */
public final class IcmpTooBig {
    /** RFC 1812: an ICMPv4 error quotes as much as keeps it within 576 bytes. */
    static final int V4_QUOTE = 576 - 20 - 8;
    /** RFC 4443: an ICMPv6 error must not exceed the minimum IPv6 MTU of 1280. */
    static final int V6_QUOTE = 1280 - 40 - 8;

    private IcmpTooBig() {}

    /**
     * Writes the answer at out (absolute) for the packet whose IP header is at ip (absolute,
     * ipLen bytes); returns the frame length. dstMac is the pod's MAC, srcMac the host side's.
     */
    public static int write(long out, long ip, int version, int ipLen, long dstMac, long srcMac, int mtu,
            int gatewayV4, long gatewayV6Hi, long gatewayV6Lo) {
        Mem.putMac(out, dstMac);
        Mem.putMac(out + 6, srcMac);
        if (version == 4) {
            int quote = Math.min(ipLen, V4_QUOTE);
            Mem.putBe16(out + 12, 0x0800);
            long h = out + 14;
            Mem.putBe16(h, 0x4500);
            Mem.putBe16(h + 2, 20 + 8 + quote);
            Mem.putBe32(h + 4, 0);
            Mem.put8(h + 8, 64);
            Mem.put8(h + 9, 1);
            Mem.putBe32(h + 12, gatewayV4);
            Mem.putBe32(h + 16, Mem.be32(ip + 12));
            Checksums.ipv4Header(h, 20);
            long icmp = h + 20;
            Mem.copy(ip, icmp + 8, quote);
            Mem.put8(icmp, 3);
            Mem.put8(icmp + 1, 4);
            Mem.putBe16(icmp + 2, 0);
            Mem.putBe16(icmp + 4, 0);
            Mem.putBe16(icmp + 6, mtu);
            Mem.putBe16(icmp + 2, ~Checksums.sum(icmp, 8 + quote) & 0xffff);
            return 14 + 20 + 8 + quote;
        }
        int quote = Math.min(ipLen, V6_QUOTE);
        Mem.putBe16(out + 12, 0x86dd);
        long h = out + 14;
        long icmp = h + 40;
        Mem.copy(ip, icmp + 8, quote); // first: ip may overlap nothing here, but copy before overwriting h
        long srcHi = Mem.be64(ip + 8);
        long srcLo = Mem.be64(ip + 16);
        Mem.putBe32(h, 0x6000_0000);
        Mem.putBe16(h + 4, 8 + quote);
        Mem.put8(h + 6, 58);
        Mem.put8(h + 7, 255);
        Mem.putBe64(h + 8, gatewayV6Hi);
        Mem.putBe64(h + 16, gatewayV6Lo);
        Mem.putBe64(h + 24, srcHi);
        Mem.putBe64(h + 32, srcLo);
        Mem.put8(icmp, 2);
        Mem.put8(icmp + 1, 0);
        Mem.putBe16(icmp + 2, 0);
        Mem.putBe32(icmp + 4, mtu);
        long s = Checksums.pseudo(h, 6, 58, 8 + quote) + Checksums.sum(icmp, 8 + quote);
        Mem.putBe16(icmp + 2, ~Checksums.fold(s) & 0xffff);
        return 14 + 40 + 8 + quote;
    }
}
