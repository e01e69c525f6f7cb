package io.xdpmesh.perf.gen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;

import org.junit.jupiter.api.Test;

/** Frames checked against an independent RFC 1071 sum over the bytes (not the generator's code). */
class UdpFlowsTest {
    private static final long SRC_MAC = 0x020000000001L;
    private static final long DST_MAC = 0x020000000002L;

    @Test
    void ipv4FramesHaveValidChecksumsForEveryFlow() throws Exception {
        UdpFlows f = new UdpFlows(SRC_MAC, DST_MAC, InetAddress.ofLiteral("10.1.2.3"), InetAddress.ofLiteral("10.4.5.6"),
                40000, 53, 300, 77);
        for (int flow = 0; flow < 300; flow++) {
            byte[] b = f.frame(flow);
            assertEquals(77, b.length);
            assertEquals(0x0800, u16(b, 12));
            assertEquals(0, fold(sum(b, 14, 20, 0)), "IPv4 header checksum");
            assertEquals(63, u16(b, 16), "IPv4 total length");
            assertEquals(40000 + flow, u16(b, 34));
            assertEquals(53, u16(b, 36));
            assertEquals(43, u16(b, 38), "UDP length");
            long pseudo = sum(b, 26, 8, 0) + 17 + 43;
            assertEquals(0, fold(sum(b, 34, 43, pseudo)), "UDP checksum of flow " + flow);
        }
    }

    @Test
    void ipv6FramesHaveValidChecksums() throws Exception {
        UdpFlows f = new UdpFlows(SRC_MAC, DST_MAC, InetAddress.ofLiteral("fd00::1"),
                InetAddress.ofLiteral("fd00:1::ffff:2"), 1, 9, 5, 1514);
        for (int flow = 0; flow < 5; flow++) {
            byte[] b = f.frame(flow);
            assertEquals(0x86dd, u16(b, 12));
            assertEquals(6, (b[14] & 0xff) >> 4);
            int udpLen = 1514 - 54;
            assertEquals(udpLen, u16(b, 18), "IPv6 payload length");
            assertEquals(17, b[20] & 0xff);
            assertEquals(1 + flow, u16(b, 54));
            long pseudo = sum(b, 22, 32, 0) + 17 + udpLen;
            int c = u16(b, 60);
            assertEquals(0, fold(sum(b, 54, udpLen, pseudo)), "UDP checksum of flow " + flow);
            org.junit.jupiter.api.Assertions.assertNotEquals(0, c, "IPv6 UDP checksum must not be 0");
        }
    }

    @Test
    void writePatchesOnlyPortAndChecksumAndCyclesFlows() {
        UdpFlows f = new UdpFlows(SRC_MAC, DST_MAC, InetAddress.ofLiteral("10.0.0.1"), InetAddress.ofLiteral("10.0.0.2"),
                5000, 9, 3, 64);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment umem = a.allocate(4 * 2048L, 4096);
            f.prewrite(umem, 4, 2048);
            for (int seq = 0; seq < 7; seq++) {
                int frame = seq % 4;
                assertEquals(64, f.write(umem.address() + frame * 2048L, 2048, seq));
                byte[] got = umem.asSlice(frame * 2048L, 64).toArray(ValueLayout.JAVA_BYTE);
                assertArrayEquals(f.frame(seq % 3), got, "packet " + seq);
            }
        }
    }

    @Test
    void rejectsWhatCannotBeSent() {
        InetAddress v4 = InetAddress.ofLiteral("10.0.0.1");
        InetAddress v6 = InetAddress.ofLiteral("fd00::1");
        assertThrows(IllegalArgumentException.class, () -> new UdpFlows(1, 2, v4, v6, 1, 1, 1, 64));
        assertThrows(IllegalArgumentException.class, () -> new UdpFlows(1, 2, v4, v4, 1, 1, 1, 41));
        assertThrows(IllegalArgumentException.class, () -> new UdpFlows(1, 2, v6, v6, 1, 1, 1, 61));
        assertThrows(IllegalArgumentException.class, () -> new UdpFlows(1, 2, v4, v4, 65535, 1, 2, 64));
        UdpFlows ok = new UdpFlows(1, 2, v4, v4, 1, 1, 1, 3000);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment umem = a.allocate(2048);
            assertThrows(IllegalArgumentException.class, () -> ok.prewrite(umem, 1, 2048));
        }
    }

    private static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    private static long sum(byte[] b, int off, int len, long initial) {
        long s = initial;
        for (int i = 0; i < len; i += 2) {
            s += ((b[off + i] & 0xff) << 8) | (i + 1 < len ? b[off + i + 1] & 0xff : 0);
        }
        return s;
    }

    /** Folded and complemented: 0 when a sum that includes its checksum field is valid. */
    private static int fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) (~s & 0xffff);
    }
}
