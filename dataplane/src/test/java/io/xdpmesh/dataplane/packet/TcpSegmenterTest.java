package io.xdpmesh.dataplane.packet;

import static io.xdpmesh.dataplane.packet.TcpFrames.ACK;
import static io.xdpmesh.dataplane.packet.TcpFrames.CWR;
import static io.xdpmesh.dataplane.packet.TcpFrames.FIN;
import static io.xdpmesh.dataplane.packet.TcpFrames.PSH;
import static io.xdpmesh.dataplane.packet.TcpFrames.u16;
import static io.xdpmesh.dataplane.packet.TcpFrames.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.dataplane.parse.FrameParser;
import io.xdpmesh.dataplane.parse.ParseVerdict;
import io.xdpmesh.dataplane.parse.ParsedFrame;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Software TSO: segments checked field by field and by an independent checksum. */
class TcpSegmenterTest {
    static final int PIECE = 3840; // what the kernel puts in a 4 KiB frame after headroom
    static final int OUT = 1 << 20;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment mem = arena.allocate(2 << 20, 4096);
    private final long base = mem.address();
    private final Chain chain = new Chain();
    private final ParsedFrame pf = new ParsedFrame();

    @AfterEach
    void close() {
        arena.close();
    }

    /** Lays the frame out as a descriptor chain of 3840-byte pieces in separate 8 KiB slots. */
    static void toChain(MemorySegment mem, Chain chain, byte[] frame, int piece) {
        chain.reset();
        for (int off = 0, i = 0; off < frame.length; off += piece, i++) {
            int n = Math.min(piece, frame.length - off);
            long at = (long) i * 8192 + 256;
            MemorySegment.copy(frame, off, mem, java.lang.foreign.ValueLayout.JAVA_BYTE, at, n);
            chain.add(at, mem.address() + at, n);
        }
    }

    private byte[][] segment(byte[] frame, int mtu) {
        toChain(mem, chain, frame, PIECE);
        assertEquals(ParseVerdict.OK, FrameParser.parse(mem, chain.umem(0), chain.total(), chain.len(0), pf));
        int mss = TcpSegmenter.plan(chain, pf, mtu, 256, 4096 - 256);
        assertTrue(mss > 0, "segmentable: " + mss);
        int thl = TcpSegmenter.headerLength(chain.abs(0) + pf.l4Offset);
        int ihl = pf.l4Offset - pf.l3Offset;
        int payload = pf.ipPacketLength - ihl - thl;
        int n = TcpSegmenter.segments(payload, mss);
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            long dst = OUT + (long) i * 4096;
            int len = TcpSegmenter.write(chain, pf.l3Offset, pf.ipVersion, ihl, pf.l4Offset, thl, payload, mss, i,
                    base + dst);
            out[i] = TcpFrames.read(mem, dst, len);
        }
        return out;
    }

    private static byte[] payload(int n, long seed) {
        byte[] p = new byte[n];
        new Random(seed).nextBytes(p);
        return p;
    }

    private void checkSegments(TcpFrames.Spec spec, byte[] payload, int mtu) {
        byte[] frame = TcpFrames.frame(spec, payload, false); // checksum partial, as veth leaves it
        byte[][] segs = segment(frame, mtu);
        int mss = mtu - spec.ipHeader() - spec.tcpHeader();
        assertEquals((payload.length + mss - 1) / mss, segs.length);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        int ip = 14;
        int t = ip + spec.ipHeader();
        for (int i = 0; i < segs.length; i++) {
            byte[] s = segs[i];
            boolean last = i == segs.length - 1;
            int pay = s.length - spec.headers();
            assertEquals(last ? payload.length - i * mss : mss, pay, "payload of segment " + i);
            assertTrue(s.length - 14 <= mtu, "segment within the MTU");
            assertArrayEquals(Arrays.copyOfRange(frame, 0, 12), Arrays.copyOfRange(s, 0, 12), "MACs kept");
            if (spec.version() == 4) {
                assertEquals(s.length - 14, u16(s, ip + 2), "IPv4 total length");
                assertEquals((spec.ipId() + i) & 0xffff, u16(s, ip + 4), "IP id incremented per segment");
                assertEquals(0x4000, u16(s, ip + 6), "DF kept");
                assertTrue(TcpFrames.ipv4HeaderValid(s, ip), "IPv4 header checksum");
            } else {
                assertEquals(s.length - 14 - 40, u16(s, ip + 4), "IPv6 payload length");
                assertEquals(u32(frame, ip), u32(s, ip), "traffic class and flow label kept");
            }
            assertEquals(spec.seq() + i * mss, u32(s, t + 4), "sequence number");
            assertEquals(spec.ack(), u32(s, t + 8), "ack number");
            int flags = s[t + 13] & 0xff;
            assertEquals(last ? spec.flags() & (FIN | PSH) : 0, flags & (FIN | PSH), "FIN/PSH only on the last");
            assertEquals(i == 0 ? spec.flags() & CWR : 0, flags & CWR, "CWR only on the first");
            assertEquals(ACK, flags & ACK);
            assertArrayEquals(Arrays.copyOfRange(frame, t + 20, t + spec.tcpHeader()),
                    Arrays.copyOfRange(s, t + 20, t + spec.tcpHeader()), "options copied");
            assertTrue(TcpFrames.tcpChecksumValid(s, ip), "TCP checksum of segment " + i);
            joined.write(s, spec.headers(), pay);
        }
        assertArrayEquals(payload, joined.toByteArray(), "payload reassembles");
    }

    @Test
    void ipv4SuperframeWithTimestampsBecomesSegmentsOfTheTunnelMtu() {
        TcpFrames.Spec spec = new TcpFrames.Spec(4, 0xfffff000, 77, ACK | PSH | FIN | CWR, 512, true, 99, 0xfffe);
        checkSegments(spec, payload(44_000, 1), 1420); // sequence numbers and ids wrap
    }

    @Test
    void ipv6SuperframeWithoutOptions() {
        TcpFrames.Spec spec = new TcpFrames.Spec(6, 1000, 5, ACK | PSH, 600, false, 0, 0);
        checkSegments(spec, payload(64_000, 2), 1420);
    }

    @Test
    void payloadAnExactMultipleOfTheMssAndOneByteMore() {
        TcpFrames.Spec spec = new TcpFrames.Spec(4, 1, 2, ACK | PSH, 600, true, 3, 10);
        int mss = 1420 - 20 - 32;
        checkSegments(spec, payload(mss * 7, 3), 1420);
        checkSegments(spec, payload(mss * 7 + 1, 4), 1420);
        checkSegments(spec, payload(mss + 1, 5), 1420);
    }

    @Test
    void oddPayloadsAndOtherMtus() {
        for (int mtu : new int[] {1280, 1400, 3000, 3776}) {
            for (int len : new int[] {3841, 9999, 20_001}) {
                checkSegments(new TcpFrames.Spec(6, len, mtu, ACK, 1, true, 5, 0), payload(len, len + mtu), mtu);
                checkSegments(new TcpFrames.Spec(4, mtu, len, ACK | FIN, 1, false, 0, 7), payload(len, mtu), mtu);
            }
        }
    }

    @Test
    void synRstAndUrgAreNotSegmentedAndNonTcpIsNotEither() {
        assertTrue(TcpSegmenter.segmentable(ACK | PSH | FIN | CWR));
        for (int flag : new int[] {TcpSegmenter.SYN, TcpSegmenter.RST, TcpSegmenter.URG}) {
            assertTrue(!TcpSegmenter.segmentable(flag | ACK));
            byte[] frame = TcpFrames.frame(new TcpFrames.Spec(4, 1, 1, flag | ACK, 1, false, 0, 0), payload(5000, 6), true);
            toChain(mem, chain, frame, PIECE);
            assertEquals(ParseVerdict.OK, FrameParser.parse(mem, chain.umem(0), chain.total(), chain.len(0), pf));
            assertEquals(TcpSegmenter.NOT_SEGMENTABLE, TcpSegmenter.plan(chain, pf, 1420, 256, 3840));
        }
        byte[] frame = TcpFrames.frame(new TcpFrames.Spec(4, 1, 1, ACK, 1, false, 0, 0), payload(5000, 7), true);
        frame[14 + 9] = 17; // UDP
        toChain(mem, chain, frame, PIECE);
        FrameParser.parse(mem, chain.umem(0), chain.total(), chain.len(0), pf);
        assertEquals(TcpSegmenter.NOT_SEGMENTABLE, TcpSegmenter.plan(chain, pf, 1420, 256, 3840));
        frame[14 + 9] = 6;
        toChain(mem, chain, frame, PIECE);
        FrameParser.parse(mem, chain.umem(0), chain.total(), chain.len(0), pf);
        assertEquals(TcpSegmenter.MTU_TOO_SMALL, TcpSegmenter.plan(chain, pf, 200, 256, 3840));
    }

    @Test
    void chainSumAndCopyMatchAContiguousCopyAtEveryOffset() {
        byte[] data = payload(20_000, 8);
        for (int piece : new int[] {3840, 1001, 777}) {
            toChain(mem, chain, data, piece);
            for (int from : new int[] {0, 1, 999, 1000, 1001, 3839, 3840, 12345}) {
                int n = Math.min(7777, data.length - from);
                chain.copy(from, base + OUT, n);
                assertArrayEquals(Arrays.copyOfRange(data, from, from + n), TcpFrames.read(mem, OUT, n));
                assertEquals(TcpFrames.fold(TcpFrames.sum(data, from, n, 0)), chain.sum(from, n),
                        "sum piece " + piece + " from " + from);
            }
        }
    }
}
