package io.xdpmesh.dataplane.parse;

import static io.xdpmesh.dataplane.parse.Bytes.i64;
import static io.xdpmesh.dataplane.parse.Bytes.i32;
import static io.xdpmesh.dataplane.parse.Bytes.u16;
import static io.xdpmesh.dataplane.parse.Bytes.u8;

import java.lang.foreign.MemorySegment;

/**
 * Parses Ethernet (up to two VLAN tags), IPv4 (with options) and IPv6 (extension headers
 * skipped to the upper layer) into a reused {@link ParsedFrame}. Every check is against the
 * frame length the ring gave us, never against header fields alone, so a lying length field
 * is a counted drop and never a read past the frame.
 */
public final class FrameParser {
    public static final int ETH_HLEN = 14;
    public static final int ETH_P_IP = 0x0800;
    public static final int ETH_P_IPV6 = 0x86dd;
    public static final int ETH_P_8021Q = 0x8100;
    public static final int ETH_P_8021AD = 0x88a8;

    public static final int IPPROTO_HOPOPTS = 0;
    public static final int IPPROTO_ICMP = 1;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_ROUTING = 43;
    public static final int IPPROTO_FRAGMENT = 44;
    public static final int IPPROTO_AH = 51;
    public static final int IPPROTO_ICMPV6 = 58;
    public static final int IPPROTO_DSTOPTS = 60;
    public static final int IPPROTO_MH = 135;

    /** Bounds the work per frame: real stacks rarely chain more than three or four. */
    static final int MAX_IPV6_EXTENSIONS = 8;

    private FrameParser() {}

    /** Parses the {@code len}-byte frame at {@code off}; fills {@code out} and returns the verdict. */
    public static ParseVerdict parse(MemorySegment s, long off, int len, ParsedFrame out) {
        return parse(s, off, len, len, out);
    }

    /**
     * Parses a packet of {@code len} bytes of which only the first {@code linear} are contiguous at
     * {@code off} (the first descriptor of an XDP_USE_SG chain): every header must lie within the
     * linear part, the IP length is checked against the whole.
     */
    public static ParseVerdict parse(MemorySegment s, long off, int len, int linear, ParsedFrame out) {
        ParseVerdict v = parseHeaders(s, off, Math.min(len, linear), len, out);
        return v;
    }

    private static ParseVerdict parseHeaders(MemorySegment s, long off, int len, int whole, ParsedFrame out) {
        out.reset();
        if (len < ETH_HLEN) {
            return ParseVerdict.TRUNCATED_ETHERNET;
        }
        int pos = 12;
        int type = u16(s, off + pos);
        while (type == ETH_P_8021Q || type == ETH_P_8021AD) {
            if (out.vlanTags == 2) {
                return ParseVerdict.TOO_MANY_VLAN_TAGS;
            }
            if (len < pos + 6) {
                return ParseVerdict.TRUNCATED_ETHERNET;
            }
            if (out.vlanTags == 0) {
                out.vlanId = u16(s, off + pos + 2) & 0x0fff;
            }
            out.vlanTags++;
            pos += 4;
            type = u16(s, off + pos);
        }
        out.etherType = type;
        out.l3Offset = pos + 2;
        return switch (type) {
            case ETH_P_IP -> parseV4(s, off, len, whole, out);
            case ETH_P_IPV6 -> parseV6(s, off, len, whole, out);
            default -> ParseVerdict.NOT_IP;
        };
    }

    private static ParseVerdict parseV4(MemorySegment s, long off, int len, int whole, ParsedFrame out) {
        int l3 = out.l3Offset;
        if (len < l3 + 20) {
            return ParseVerdict.TRUNCATED_IP_HEADER;
        }
        int vihl = u8(s, off + l3);
        if (vihl >>> 4 != 4) {
            return ParseVerdict.BAD_IP_VERSION;
        }
        int ihl = (vihl & 0x0f) * 4;
        if (ihl < 20) {
            return ParseVerdict.BAD_IPV4_HEADER_LENGTH;
        }
        if (len < l3 + ihl) {
            return ParseVerdict.TRUNCATED_IP_HEADER;
        }
        int total = u16(s, off + l3 + 2);
        if (total < ihl || l3 + total > whole) {
            return ParseVerdict.BAD_IP_TOTAL_LENGTH;
        }
        out.ipVersion = 4;
        out.l3HeaderLength = ihl;
        out.ipPacketLength = total;
        out.protocol = u8(s, off + l3 + 9);
        out.srcHi = ParsedFrame.V4_MAPPED_HI;
        out.srcLo = ParsedFrame.v4MappedLo(i32(s, off + l3 + 12));
        out.dstHi = ParsedFrame.V4_MAPPED_HI;
        out.dstLo = ParsedFrame.v4MappedLo(i32(s, off + l3 + 16));
        int frag = u16(s, off + l3 + 6);
        boolean moreFragments = (frag & 0x2000) != 0;
        int fragOffset = frag & 0x1fff;
        out.fragment = moreFragments || fragOffset != 0;
        if (fragOffset != 0) {
            return ParseVerdict.OK; // no transport header in a later fragment
        }
        return parseL4(s, off, l3 + ihl, Math.min(l3 + total, len), out);
    }

    private static ParseVerdict parseV6(MemorySegment s, long off, int len, int whole, ParsedFrame out) {
        int l3 = out.l3Offset;
        if (len < l3 + 40) {
            return ParseVerdict.TRUNCATED_IP_HEADER;
        }
        if (u8(s, off + l3) >>> 4 != 6) {
            return ParseVerdict.BAD_IP_VERSION;
        }
        int payload = u16(s, off + l3 + 4);
        int end = l3 + 40 + payload;
        if (end > whole) {
            return ParseVerdict.BAD_IP_TOTAL_LENGTH; // jumbograms (payload 0 + HBH option) unsupported
        }
        out.ipVersion = 6;
        out.ipPacketLength = 40 + payload;
        out.srcHi = i64(s, off + l3 + 8);
        out.srcLo = i64(s, off + l3 + 16);
        out.dstHi = i64(s, off + l3 + 24);
        out.dstLo = i64(s, off + l3 + 32);
        int next = u8(s, off + l3 + 6);
        int pos = l3 + 40;
        int hdrEnd = Math.min(end, len); // headers must be in the linear part
        for (int n = 0; ; n++) {
            if (!isExtension(next)) {
                break;
            }
            if (n == MAX_IPV6_EXTENSIONS) {
                return ParseVerdict.TOO_MANY_IPV6_EXTENSIONS;
            }
            if (pos + 8 > hdrEnd) {
                return ParseVerdict.TRUNCATED_IPV6_EXTENSION;
            }
            int hdrNext = u8(s, off + pos);
            int hdrLen;
            if (next == IPPROTO_FRAGMENT) {
                hdrLen = 8;
                out.fragment = true;
                if ((u16(s, off + pos + 2) & 0xfff8) != 0) {
                    out.protocol = hdrNext;
                    out.l3HeaderLength = pos + 8 - l3;
                    return ParseVerdict.OK; // later fragment: the upper header is elsewhere
                }
            } else if (next == IPPROTO_AH) {
                hdrLen = (u8(s, off + pos + 1) + 2) * 4;
            } else {
                hdrLen = (u8(s, off + pos + 1) + 1) * 8;
            }
            if (pos + hdrLen > hdrEnd) {
                return ParseVerdict.TRUNCATED_IPV6_EXTENSION;
            }
            pos += hdrLen;
            next = hdrNext;
        }
        out.protocol = next;
        out.l3HeaderLength = pos - l3;
        return parseL4(s, off, pos, hdrEnd, out);
    }

    private static boolean isExtension(int next) {
        return next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_FRAGMENT
                || next == IPPROTO_DSTOPTS || next == IPPROTO_AH || next == IPPROTO_MH;
    }

    private static ParseVerdict parseL4(MemorySegment s, long off, int l4, int end, ParsedFrame out) {
        out.l4Offset = l4;
        int need = switch (out.protocol) {
            case IPPROTO_TCP -> 20;
            case IPPROTO_UDP -> 8;
            case IPPROTO_ICMP, IPPROTO_ICMPV6 -> 4;
            default -> 0;
        };
        if (l4 + need > end) {
            // A first fragment may legally carry fewer bytes than a full TCP header; we still
            // need the ports for the flow key, so it is a drop either way.
            return ParseVerdict.TRUNCATED_L4_HEADER;
        }
        if (out.protocol == IPPROTO_TCP || out.protocol == IPPROTO_UDP) {
            out.srcPort = u16(s, off + l4);
            out.dstPort = u16(s, off + l4 + 2);
        } else if (need == 4) {
            out.srcPort = u8(s, off + l4); // ICMP type and code stand in for ports in flow keys
            out.dstPort = u8(s, off + l4 + 1);
        }
        return ParseVerdict.OK;
    }
}
