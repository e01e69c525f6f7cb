package io.xdpmesh.dataplane.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class FrameParserTest {
    private final ParsedFrame out = new ParsedFrame();

    private static final byte[] MACS = new byte[12];

    static byte[] eth(int type, byte[] l3, int... vlanTypes) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(MACS);
        for (int i = 0; i < vlanTypes.length; i++) {
            b.write(vlanTypes[i] >> 8);
            b.write(vlanTypes[i]);
            b.write(0x00);
            b.write(42 + i); // VLAN id 42, 43
        }
        b.write(type >> 8);
        b.write(type);
        b.writeBytes(l3);
        return b.toByteArray();
    }

    static byte[] ipv4(int proto, int optionWords, byte[] l4, int flagsFrag) {
        int ihl = 20 + optionWords * 4;
        byte[] p = new byte[ihl + l4.length];
        p[0] = (byte) (0x40 | (ihl / 4));
        int total = p.length;
        p[2] = (byte) (total >> 8);
        p[3] = (byte) total;
        p[6] = (byte) (flagsFrag >> 8);
        p[7] = (byte) flagsFrag;
        p[8] = 64;
        p[9] = (byte) proto;
        byte[] src = {10, 1, 0, 2};
        byte[] dst = {10, 2, 0, 3};
        System.arraycopy(src, 0, p, 12, 4);
        System.arraycopy(dst, 0, p, 16, 4);
        System.arraycopy(l4, 0, p, ihl, l4.length);
        return p;
    }

    static byte[] udp(int sport, int dport, int payload) {
        byte[] u = new byte[8 + payload];
        u[0] = (byte) (sport >> 8);
        u[1] = (byte) sport;
        u[2] = (byte) (dport >> 8);
        u[3] = (byte) dport;
        u[4] = (byte) (u.length >> 8);
        u[5] = (byte) u.length;
        return u;
    }

    static byte[] ipv6(int next, byte[] rest) {
        byte[] p = new byte[40 + rest.length];
        p[0] = 0x60;
        p[4] = (byte) (rest.length >> 8);
        p[5] = (byte) rest.length;
        p[6] = (byte) next;
        p[7] = 64;
        p[8] = (byte) 0xfd;
        p[23] = 1;
        p[24] = (byte) 0xfd;
        p[39] = 2;
        System.arraycopy(rest, 0, p, 40, rest.length);
        return p;
    }

    static byte[] ext(int next, int lenUnits8, byte[] rest) {
        byte[] e = new byte[(lenUnits8 + 1) * 8 + rest.length];
        e[0] = (byte) next;
        e[1] = (byte) lenUnits8;
        System.arraycopy(rest, 0, e, (lenUnits8 + 1) * 8, rest.length);
        return e;
    }

    private ParseVerdict parse(byte[] frame) {
        // Parse from native memory at an odd offset, as a UMEM frame with headroom would be.
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(frame.length + 3);
            MemorySegment.copy(MemorySegment.ofArray(frame), 0, seg, 3, frame.length);
            return FrameParser.parse(seg, 3, frame.length, out);
        }
    }

    @Test
    void ipv4Udp() {
        assertEquals(ParseVerdict.OK, parse(eth(0x0800, ipv4(17, 0, udp(1234, 53, 10), 0))));
        assertEquals(4, out.ipVersion);
        assertEquals(14, out.l3Offset);
        assertEquals(34, out.l4Offset);
        assertEquals(17, out.protocol);
        assertEquals(1234, out.srcPort);
        assertEquals(53, out.dstPort);
        assertEquals(0x0a010002, out.srcV4());
        assertEquals(0x0a020003, out.dstV4());
        assertEquals(ParsedFrame.v4MappedLo(0x0a020003), out.dstLo);
        assertEquals(-1, out.vlanId);
        assertFalse(out.fragment);
    }

    @Test
    void ipv4OptionsMoveTheTransportHeader() {
        assertEquals(ParseVerdict.OK, parse(eth(0x0800, ipv4(6, 3, new byte[20], 0))));
        assertEquals(32, out.l3HeaderLength);
        assertEquals(14 + 32, out.l4Offset);
    }

    @Test
    void ethernetPaddingIsNotPartOfThePacket() {
        byte[] f = eth(0x0800, ipv4(1, 0, new byte[8], 0));
        byte[] padded = java.util.Arrays.copyOf(f, 60);
        assertEquals(ParseVerdict.OK, parse(padded));
        assertEquals(28, out.ipPacketLength);
    }

    @Test
    void vlanTags() {
        assertEquals(ParseVerdict.OK, parse(eth(0x0800, ipv4(17, 0, udp(1, 2, 0), 0), 0x8100)));
        assertEquals(42, out.vlanId);
        assertEquals(18, out.l3Offset);
        assertEquals(ParseVerdict.OK, parse(eth(0x0800, ipv4(17, 0, udp(1, 2, 0), 0), 0x88a8, 0x8100)));
        assertEquals(2, out.vlanTags);
        assertEquals(22, out.l3Offset);
        assertEquals(ParseVerdict.TOO_MANY_VLAN_TAGS,
                parse(eth(0x0800, ipv4(17, 0, udp(1, 2, 0), 0), 0x8100, 0x8100, 0x8100)));
    }

    @Test
    void ipv4Fragments() {
        assertEquals(ParseVerdict.OK, parse(eth(0x0800, ipv4(17, 0, udp(7, 8, 16), 0x2000))));
        assertTrue(out.fragment);
        assertEquals(7, out.srcPort);
        assertEquals(ParseVerdict.OK, parse(eth(0x0800, ipv4(17, 0, new byte[16], 0x0003))));
        assertTrue(out.fragment);
        assertEquals(-1, out.l4Offset);
    }

    @Test
    void ipv6WithExtensionHeaders() {
        byte[] l4 = udp(5000, 6000, 4);
        byte[] frag = new byte[8 + l4.length];
        frag[0] = 17; // next: UDP; offset 0, M=1
        frag[3] = 1;
        System.arraycopy(l4, 0, frag, 8, l4.length);
        byte[] hbh = ext(44, 0, frag);
        assertEquals(ParseVerdict.OK, parse(eth(0x86dd, ipv6(0, hbh))));
        assertEquals(6, out.ipVersion);
        assertEquals(17, out.protocol);
        assertEquals(14 + 40 + 8 + 8, out.l4Offset);
        assertEquals(5000, out.srcPort);
        assertTrue(out.fragment);
        assertEquals(0xfd00_0000_0000_0000L, out.srcHi);
        assertEquals(1L, out.srcLo);
        assertEquals(2L, out.dstLo);
    }

    @Test
    void ipv6LaterFragmentHasNoTransportHeader() {
        byte[] frag = new byte[8 + 16];
        frag[0] = 6;
        frag[2] = 0x01; // offset 32 bytes
        assertEquals(ParseVerdict.OK, parse(eth(0x86dd, ipv6(44, frag))));
        assertEquals(-1, out.l4Offset);
        assertEquals(6, out.protocol);
    }

    @Test
    void malformedFramesAreNamed() {
        assertEquals(ParseVerdict.TRUNCATED_ETHERNET, parse(new byte[13]));
        assertEquals(ParseVerdict.NOT_IP, parse(eth(0x0806, new byte[28])));
        assertEquals(ParseVerdict.TRUNCATED_IP_HEADER, parse(eth(0x0800, new byte[19])));
        byte[] v4 = ipv4(17, 0, udp(1, 2, 0), 0);
        byte[] bad = v4.clone();
        bad[0] = 0x65;
        assertEquals(ParseVerdict.BAD_IP_VERSION, parse(eth(0x0800, bad)));
        bad = v4.clone();
        bad[0] = 0x44;
        assertEquals(ParseVerdict.BAD_IPV4_HEADER_LENGTH, parse(eth(0x0800, bad)));
        bad = v4.clone();
        bad[3] = (byte) (v4.length + 1);
        assertEquals(ParseVerdict.BAD_IP_TOTAL_LENGTH, parse(eth(0x0800, bad)));
        bad = v4.clone();
        bad[3] = 19;
        assertEquals(ParseVerdict.BAD_IP_TOTAL_LENGTH, parse(eth(0x0800, bad)));
        assertEquals(ParseVerdict.TRUNCATED_L4_HEADER, parse(eth(0x0800, ipv4(6, 0, new byte[19], 0))));
        assertEquals(ParseVerdict.BAD_IP_TOTAL_LENGTH,
                parse(java.util.Arrays.copyOf(eth(0x86dd, ipv6(17, udp(1, 2, 8))), 14 + 40 + 8)));
        assertEquals(ParseVerdict.TRUNCATED_IPV6_EXTENSION, parse(eth(0x86dd, ipv6(0, new byte[6]))));
        byte[] shortExt = new byte[8];
        shortExt[0] = 17;
        shortExt[1] = 2; // claims 24 bytes, the packet has 8
        assertEquals(ParseVerdict.TRUNCATED_IPV6_EXTENSION, parse(eth(0x86dd, ipv6(60, shortExt))));
    }

    @Test
    void extensionChainIsBounded() {
        byte[] rest = udp(1, 2, 0);
        int next = 17;
        for (int i = 0; i < FrameParser.MAX_IPV6_EXTENSIONS + 1; i++) {
            rest = ext(next, 0, rest);
            next = 60;
        }
        assertEquals(ParseVerdict.TOO_MANY_IPV6_EXTENSIONS, parse(eth(0x86dd, ipv6(60, rest))));
    }
}
