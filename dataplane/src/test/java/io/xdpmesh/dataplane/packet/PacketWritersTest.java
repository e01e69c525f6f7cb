package io.xdpmesh.dataplane.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Checksums, tunnel header templates and ICMP too-big answers, checked against a plain RFC 1071 sum. */
class PacketWritersTest {
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment mem = arena.allocate(8192, 64);
    private final long a = mem.address();

    @AfterEach
    void close() {
        arena.close();
    }

    static int reference(MemorySegment s, long off, int len) {
        long sum = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += ((s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, off + i) & 0xff) << 8)
                    | (s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, off + i + 1) & 0xff);
        }
        if ((len & 1) != 0) {
            sum += (s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, off + len - 1) & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }

    @Test
    void sumMatchesTheReferenceForEveryLengthAndAlignment() {
        Random r = new Random(1);
        for (int i = 0; i < 2048; i++) {
            mem.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) r.nextInt());
        }
        for (int off = 0; off < 8; off++) {
            for (int len = 0; len < 300; len++) {
                assertEquals(reference(mem, off, len), Checksums.sum(a + off, len), "off " + off + " len " + len);
            }
        }
    }

    @Test
    void sumCarriesCorrectlyOverLongRunsOfOnes() {
        for (int i = 0; i < 8192; i++) {
            mem.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) 0xff);
        }
        for (int len : new int[] {15, 16, 17, 31, 32, 33, 1368, 1400, 4095, 8000, 8185}) {
            for (int off = 0; off < 7; off++) {
                assertEquals(reference(mem, off, len), Checksums.sum(a + off, len), "off " + off + " len " + len);
            }
        }
        mem.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 100, (byte) 0x00);
        assertEquals(reference(mem, 0, 8000), Checksums.sum(a, 8000));
    }

    /** A UDP/IPv4 packet at ip with a payload; the checksum field left as veth's offload leaves it. */
    private int udp4(long ip, int payload, boolean partial) {
        Mem.putBe16(ip, 0x4500);
        Mem.putBe16(ip + 2, 28 + payload);
        Mem.putBe32(ip + 4, 0x4000);
        Mem.put8(ip + 8, 64);
        Mem.put8(ip + 9, 17);
        Mem.putBe32(ip + 12, 0x0a010101);
        Mem.putBe32(ip + 16, 0x0a010201);
        Checksums.ipv4Header(ip, 20);
        long u = ip + 20;
        Mem.putBe16(u, 1234);
        Mem.putBe16(u + 2, 80);
        Mem.putBe16(u + 4, 8 + payload);
        for (int i = 0; i < payload; i++) {
            Mem.put8(u + 8 + i, i * 7);
        }
        // CHECKSUM_PARTIAL: only the folded pseudo-header sum, not complemented
        Mem.putBe16(u + 6, partial ? Checksums.fold(Checksums.pseudo(ip, 4, 17, 8 + payload)) : 0x1234);
        return 28 + payload;
    }

    @Test
    void completesWhatChecksumOffloadLeftPartial() {
        for (int payload : new int[] {0, 1, 17, 1372}) {
            udp4(a, payload, true);
            assertFalse(Checksums.verifyL4(a, 4, 17, a + 20, 8 + payload));
            assertTrue(Checksums.completeL4(a, 4, 17, a + 20, 8 + payload));
            assertTrue(Checksums.verifyL4(a, 4, 17, a + 20, 8 + payload), "payload " + payload);
            assertEquals(0xffff, reference(mem, 0, 20), "IPv4 header checksum");
        }
        udp4(a, 10, true);
        Mem.putBe16(a + 26, 0);
        Checksums.completeL4(a, 4, 17, a + 20, 18);
        assertEquals(0, Mem.be16(a + 26), "UDP/IPv4 without checksum stays without");
    }

    /** A TCP/IPv6 segment at ip (20 B header, payload bytes), its checksum left partial or complete. */
    private int tcp6(long ip, int payload, boolean partial) {
        Mem.putBe32(ip, 0x6000_0000);
        Mem.putBe16(ip + 4, 20 + payload);
        Mem.put8(ip + 6, 6);
        Mem.put8(ip + 7, 64);
        for (int i = 0; i < 32; i++) {
            Mem.put8(ip + 8 + i, i < 16 ? (i == 0 ? 0xfd : i) : (i == 16 ? 0xfd : 3 * i));
        }
        long t = ip + 40;
        Mem.putBe16(t, 40000);
        Mem.putBe16(t + 2, 5201);
        Mem.putBe32(t + 4, 0x1234_5678);
        Mem.putBe32(t + 8, 0x0abc_def0);
        Mem.putBe16(t + 12, 0x5010);
        Mem.putBe16(t + 14, 512);
        Mem.putBe16(t + 18, 0);
        for (int i = 0; i < payload; i++) {
            Mem.put8(t + 20 + i, i * 13 + 5);
        }
        long pseudo = Checksums.pseudo(ip, 6, 6, 20 + payload);
        if (partial) {
            Mem.putBe16(t + 16, Checksums.fold(pseudo));
        } else {
            Mem.putBe16(t + 16, 0);
            Mem.putBe16(t + 16, ~Checksums.fold(pseudo + Checksums.sum(t, 20 + payload)) & 0xffff);
        }
        return 40 + 20 + payload;
    }

    @Test
    void completeChecksumsAreLeftAsTheSenderMadeThem() {
        for (int payload : new int[] {0, 1, 63, 1400}) {
            udp4(a, payload, false);
            Mem.putBe16(a + 26, 0);
            Mem.putBe16(a + 26, ~reference4(payload) & 0xffff); // a complete, valid UDP checksum
            assertFalse(Checksums.isPartial(a, 4, 17, a + 20, 8 + payload));
            int before = Mem.be16(a + 26);
            assertTrue(Checksums.completeL4(a, 4, 17, a + 20, 8 + payload));
            assertEquals(before, Mem.be16(a + 26), "payload " + payload);
            assertTrue(Checksums.verifyL4(a, 4, 17, a + 20, 8 + payload));

            tcp6(a, payload, false);
            int tcpBefore = Mem.be16(a + 56);
            assertTrue(Checksums.completeL4(a, 6, 6, a + 40, 20 + payload));
            assertEquals(tcpBefore, Mem.be16(a + 56));
            assertTrue(Checksums.verifyL4(a, 6, 6, a + 40, 20 + payload));

            tcp6(a, payload, true);
            assertTrue(Checksums.isPartial(a, 6, 6, a + 40, 20 + payload));
            assertTrue(Checksums.completeL4(a, 6, 6, a + 40, 20 + payload));
            assertTrue(Checksums.verifyL4(a, 6, 6, a + 40, 20 + payload), "partial TCP/IPv6, payload " + payload);
        }
        // A corrupted (neither partial nor valid) checksum is not silently repaired.
        udp4(a, 40, false);
        assertTrue(Checksums.completeL4(a, 4, 17, a + 20, 48));
        assertEquals(0x1234, Mem.be16(a + 26));
        assertFalse(Checksums.verifyL4(a, 4, 17, a + 20, 48));
    }

    /** The one's-complement sum of the UDP/IPv4 packet at a (pseudo header included, field 0). */
    private int reference4(int payload) {
        int field = Mem.be16(a + 26);
        Mem.putBe16(a + 26, 0);
        long s = Checksums.pseudo(a, 4, 17, 8 + payload) + reference(mem, 20, 8 + payload);
        Mem.putBe16(a + 26, field);
        return Checksums.fold(s);
    }

    @Test
    void aCompleteChecksumThatEqualsThePseudoHeaderSumIsRecomputedToTheSameValue() {
        // Search the last payload word until the complete checksum collides with the pseudo sum.
        int payload = 30;
        udp4(a, payload, true);
        int pseudo = Checksums.fold(Checksums.pseudo(a, 4, 17, 8 + payload));
        boolean found = false;
        for (int w = 0; w <= 0xffff && !found; w++) {
            Mem.putBe16(a + 28 + payload - 2, w);
            Mem.putBe16(a + 26, 0);
            int full = ~reference4(payload) & 0xffff;
            if (full == pseudo) {
                Mem.putBe16(a + 26, full);
                found = true;
            }
        }
        assertTrue(found, "some payload word makes the complete checksum equal the pseudo-header sum");
        assertTrue(Checksums.verifyL4(a, 4, 17, a + 20, 8 + payload));
        assertTrue(Checksums.isPartial(a, 4, 17, a + 20, 8 + payload), "indistinguishable from partial");
        assertTrue(Checksums.completeL4(a, 4, 17, a + 20, 8 + payload));
        assertEquals(pseudo, Mem.be16(a + 26));
        assertTrue(Checksums.verifyL4(a, 4, 17, a + 20, 8 + payload));
    }

    @Test
    void chainCompletesOnlyPartialChecksumsAcrossPieces() {
        int len = tcp6(a, 3000, true);
        // the same packet in three pieces at odd boundaries
        long p1 = a + 3101;
        long p2 = a + 3300;
        long p3 = a + 4103;
        Mem.copy(a, p1, 101);
        Mem.copy(a + 101, p2, 777);
        Mem.copy(a + 878, p3, len - 878);
        Chain c = new Chain();
        c.add(0, p1, 101);
        c.add(0, p2, 777);
        c.add(0, p3, len - 878);
        assertTrue(c.completeL4(p1, 6, 6, 40, 20 + 3000));
        int done = Mem.be16(p1 + 56);
        tcp6(a, 3000, false);
        assertEquals(Mem.be16(a + 56), done, "the chain's completed checksum is the full one");
        Mem.putBe16(p1 + 56, done ^ 0x0100); // corrupted: left alone
        assertTrue(c.completeL4(p1, 6, 6, 40, 20 + 3000));
        assertEquals(done ^ 0x0100, Mem.be16(p1 + 56));
    }

    @Test
    void outerIpv4HeaderChecksumStaysValidForEveryIdAndLength() {
        TunnelHeaders t = new TunnelHeaders(2);
        t.build(0, 0x020000000001L, 0x020000000002L, new byte[] {(byte) 192, (byte) 168, (byte) 255, (byte) 254},
                new byte[] {10, 0, (byte) 200, 2}, 51871, 51871);
        for (int i = 0; i < 70_000; i++) { // the IP id wraps
            int msg = 32 + (i * 37) % 1440;
            t.write(0, a, msg);
            assertEquals(0xffff, reference(mem, 14, 20), "IPv4 header checksum at packet " + i);
            assertEquals(20 + 8 + msg, Mem.be16(a + 16));
        }
    }

    @Test
    void tunnelHeadersCarryValidLengthsAndChecksums() {
        TunnelHeaders t = new TunnelHeaders(4);
        t.build(1, 0x020000000001L, 0x020000000002L, new byte[] {10, 0, 0, 1}, new byte[] {10, 0, 0, 2}, 51871, 51871);
        long msg = a + TunnelHeaders.V4_LEN;
        for (int i = 0; i < 96; i++) {
            Mem.put8(msg + i, i);
        }
        int len = t.write(1, a, 96);
        assertEquals(TunnelHeaders.V4_LEN + 96, len);
        assertEquals(0x020000000002L, Mem.mac(a));
        assertEquals(0x0800, Mem.be16(a + 12));
        assertEquals(0xffff, reference(mem, 14, 20), "IPv4 header checksum");
        assertEquals(20 + 8 + 96, Mem.be16(a + 16));
        assertEquals(51871, Mem.be16(a + 34 + 2));
        assertEquals(8 + 96, Mem.be16(a + 34 + 4));

        byte[] s6 = new byte[16];
        byte[] d6 = new byte[16];
        s6[0] = (byte) 0xfd;
        d6[0] = (byte) 0xfd;
        s6[15] = 1;
        d6[15] = 2;
        t.build(2, 0x020000000001L, 0x020000000002L, s6, d6, 51871, 51871);
        long msg6 = a + TunnelHeaders.V6_LEN;
        for (int i = 0; i < 97; i++) {
            Mem.put8(msg6 + i, 255 - i);
        }
        assertEquals(TunnelHeaders.V6_LEN + 97, t.write(2, a, 97));
        assertEquals(0x86dd, Mem.be16(a + 12));
        assertEquals(8 + 97, Mem.be16(a + 14 + 4));
        assertTrue(Checksums.verifyL4(a + 14, 6, 17, a + 54, 8 + 97), "IPv6 UDP checksum is mandatory and valid");
    }

    @Test
    void icmpTooBigQuotesTheOffenderWithValidChecksums() {
        udp4(a + 14, 1400, false);
        long out = a + 4096;
        int len = IcmpTooBig.write(out, a + 14, 4, 1428, 0x02000000000aL, 0x02000000000bL, 1440, 0xa9fe0101, 0, 0);
        assertEquals(14 + 20 + 8 + 548, len);
        assertEquals(0xffff, reference(mem, 4096 + 14, 20));
        assertEquals(0xffff, reference(mem, 4096 + 34, 8 + 548), "ICMP checksum");
        assertEquals(3, Mem.u8(out + 34));
        assertEquals(4, Mem.u8(out + 35));
        assertEquals(1440, Mem.be16(out + 40));
        assertEquals(0x0a010101, Mem.be32(out + 14 + 16), "sent back to the offender");

        long ip6 = a + 14;
        Mem.putBe32(ip6, 0x60000000);
        Mem.putBe16(ip6 + 4, 1400);
        Mem.put8(ip6 + 6, 17);
        Mem.putBe64(ip6 + 8, 0xfd00000000000000L);
        Mem.putBe64(ip6 + 16, 0xaL);
        int len6 = IcmpTooBig.write(out, ip6, 6, 1440, 1, 2, 1440, 0, 0xfe80000000000000L, 1);
        assertEquals(14 + 1280, len6);
        assertTrue(Checksums.verifyL4(out + 14, 6, 58, out + 54, 1240) || checksum6(out), "ICMPv6 checksum");
        assertEquals(2, Mem.u8(out + 54));
        assertEquals(1440, Mem.be32(out + 58));
        assertEquals(0xaL, Mem.be64(out + 14 + 32));
    }

    private static boolean checksum6(long out) {
        long s = Checksums.pseudo(out + 14, 6, 58, 1240) + Checksums.sum(out + 54, 1240);
        return Checksums.fold(s) == 0xffff;
    }
}
