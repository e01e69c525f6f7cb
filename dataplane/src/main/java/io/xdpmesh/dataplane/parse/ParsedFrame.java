package io.xdpmesh.dataplane.parse;

/**
 * What {@link FrameParser} learned about one frame. One instance per dataplane thread, reused for
 * every frame, so parsing allocates nothing. Addresses are 128-bit (hi, lo); IPv4 addresses are
 * stored IPv4-mapped (::ffff:a.b.c.d) so one endpoint table serves both families.
 */
public final class ParsedFrame {
    public static final long V4_MAPPED_HI = 0L;
    public static final long V4_MAPPED_LO_PREFIX = 0x0000_ffff_0000_0000L;

    /** Outer EtherType after any VLAN tags. */
    public int etherType;
    /** 12-bit VLAN id of the outermost tag, or -1 when untagged. */
    public int vlanId;
    public int vlanTags;
    /** 4 or 6. */
    public int ipVersion;
    public int l3Offset;
    /** IP header length including IPv4 options or IPv6 extension headers. */
    public int l3HeaderLength;
    /** Length of the IP packet from its own header (frame padding excluded). */
    public int ipPacketLength;
    /** Upper-layer protocol (after IPv6 extension headers). */
    public int protocol;
    /** Offset of the transport header, or -1 for a non-first fragment. */
    public int l4Offset;
    /** True for any fragment (first or later). */
    public boolean fragment;
    public int srcPort;
    public int dstPort;
    public long srcHi;
    public long srcLo;
    public long dstHi;
    public long dstLo;

    void reset() {
        etherType = 0;
        vlanId = -1;
        vlanTags = 0;
        ipVersion = 0;
        l3Offset = 0;
        l3HeaderLength = 0;
        ipPacketLength = 0;
        protocol = -1;
        l4Offset = -1;
        fragment = false;
        srcPort = 0;
        dstPort = 0;
        srcHi = srcLo = dstHi = dstLo = 0;
    }

    public static long v4MappedLo(int v4) {
        return V4_MAPPED_LO_PREFIX | (v4 & 0xffff_ffffL);
    }

    public boolean isV4() {
        return ipVersion == 4;
    }

    public int srcV4() {
        return (int) srcLo;
    }

    public int dstV4() {
        return (int) dstLo;
    }
}
