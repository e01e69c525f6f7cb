package io.xdpmesh.dataplane.packet;

import static io.xdpmesh.dataplane.packet.TcpFrames.ACK;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Software GRO: merged frames checked against an independent checksum and the original bytes. */
class TcpCoalescerTest {
    static final int FRAME = 4096;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment mem = arena.allocate(256 * FRAME, 4096);
    private final ParsedFrame pf = new ParsedFrame();
    /** What the sink got: port, then the packet's bytes linearized, and the descriptor count. */
    private final List<int[]> sent = new ArrayList<>();
    private final List<byte[]> packets = new ArrayList<>();
    private final List<long[]> frames = new ArrayList<>();
    private int next;

    @AfterEach
    void close() {
        arena.close();
    }

    private TcpCoalescer coalescer(int maxPieces) {
        return new TcpCoalescer(mem.address(), maxPieces, 4, (port, addr, len, from, n) -> {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            long[] f = new long[n];
            for (int i = 0; i < n; i++) {
                b.writeBytes(TcpFrames.read(mem, addr[from + i], len[from + i]));
                f[i] = addr[from + i] & ~(FRAME - 1L);
            }
            sent.add(new int[] {port, n});
            packets.add(b.toByteArray());
            frames.add(f);
        });
    }

    /** Places the frame at an odd offset of its own UMEM frame (as ingress leaves it) and offers it. */
    private long offer(TcpCoalescer c, int port, int mtu, byte[] frame) {
        long a = (long) next++ * FRAME + 256 + 58 + (next % 3);
        TcpFrames.write(mem, a, frame);
        assertEquals(ParseVerdict.OK, FrameParser.parse(mem, a, frame.length, pf));
        c.offer(port, mtu, a, frame.length, pf);
        return a & ~(FRAME - 1L);
    }

    private static byte[] payload(int n, long seed) {
        byte[] p = new byte[n];
        new Random(seed).nextBytes(p);
        return p;
    }

    /** Cuts payload into segments of mss (the last one shorter), flags on the last only. */
    private List<byte[]> segments(TcpFrames.Spec spec, byte[] payload, int mss, int lastFlags) {
        List<byte[]> l = new ArrayList<>();
        for (int off = 0; off < payload.length; off += mss) {
            int n = Math.min(mss, payload.length - off);
            boolean last = off + n == payload.length;
            l.add(TcpFrames.frame(spec.withSeq(spec.seq() + off).withFlags(last ? spec.flags() | lastFlags : spec.flags()),
                    Arrays.copyOfRange(payload, off, off + n), true));
        }
        return l;
    }

    private static void checkMerged(byte[] merged, TcpFrames.Spec spec, byte[] payload, boolean push) {
        int ip = 14;
        assertEquals(14 + spec.ipHeader() + spec.tcpHeader() + payload.length, merged.length);
        if (spec.version() == 4) {
            assertEquals(merged.length - 14, u16(merged, ip + 2));
            assertTrue(TcpFrames.ipv4HeaderValid(merged, ip), "IPv4 header checksum");
        } else {
            assertEquals(merged.length - 54, u16(merged, ip + 4));
        }
        int t = ip + spec.ipHeader();
        assertEquals(spec.seq(), u32(merged, t + 4), "first sequence number");
        assertEquals(push, (merged[t + 13] & PSH) != 0, "PSH as the last segment had it");
        assertTrue(TcpFrames.tcpChecksumValid(merged, ip), "TCP checksum of the merged frame");
        assertArrayEquals(payload, Arrays.copyOfRange(merged, spec.headers(), merged.length), "payload in order");
    }

    @Test
    void consecutiveSegmentsOfOneFlowBecomeOneChainIpv4AndIpv6() {
        for (int version : new int[] {4, 6}) {
            for (boolean ts : new boolean[] {true, false}) {
                sent.clear();
                packets.clear();
                TcpCoalescer c = coalescer(17);
                TcpFrames.Spec spec = new TcpFrames.Spec(version, 0xfffffa00, 9, ACK, 300, ts, 42, 1);
                byte[] payload = payload(10 * 1367 + 501, version); // odd sizes: odd payload offsets
                for (byte[] s : segments(spec, payload, 1367, PSH)) {
                    offer(c, 3, 65000, s);
                }
                c.flush();
                assertEquals(1, packets.size(), "one frame for the pod");
                assertEquals(3, sent.get(0)[0]);
                assertEquals(11, sent.get(0)[1], "a chain of 11 descriptors");
                checkMerged(packets.get(0), spec, payload, true);
            }
        }
    }

    @Test
    void aGapFlagsOptionsOrAnotherFlowStartANewFrameAndOrderWithinAFlowHolds() {
        TcpCoalescer c = coalescer(17);
        TcpFrames.Spec spec = new TcpFrames.Spec(4, 1000, 9, ACK, 300, true, 42, 1);
        byte[] p = payload(1000, 1);
        offer(c, 0, 65000, TcpFrames.frame(spec, p, true));
        offer(c, 0, 65000, TcpFrames.frame(spec.withSeq(2000), p, true));
        offer(c, 0, 65000, TcpFrames.frame(spec.withSeq(4000), p, true)); // gap: new frame
        offer(c, 0, 65000, TcpFrames.frame(spec.withSeq(5000).withTsval(43), p, true)); // timestamp differs
        offer(c, 0, 65000, TcpFrames.frame(spec.withSeq(6000).withTsval(43).withFlags(ACK | FIN), p, true)); // FIN: as is
        c.flush();
        assertEquals(4, packets.size());
        assertEquals(2, sent.get(0)[1]);
        assertEquals(1, sent.get(1)[1]);
        assertEquals(1, sent.get(2)[1]);
        assertEquals(1, sent.get(3)[1]);
        assertEquals(5000, u32(packets.get(2), 14 + 20 + 4));
        assertEquals(6000, u32(packets.get(3), 14 + 20 + 4), "the FIN segment goes after its flow's open frame");
        for (byte[] b : packets) {
            assertTrue(TcpFrames.tcpChecksumValid(b, 14));
        }
    }

    @Test
    void boundedByThePodMtuAndTheDescriptorLimit() {
        TcpFrames.Spec spec = new TcpFrames.Spec(4, 0, 9, ACK, 300, false, 0, 1);
        byte[] payload = payload(40 * 1000, 2);
        TcpCoalescer c = coalescer(5);
        for (byte[] s : segments(spec, payload, 1000, 0)) {
            offer(c, 0, 65000, s);
        }
        c.flush();
        assertEquals(8, packets.size(), "five descriptors per frame at most");
        TcpCoalescer m = coalescer(17);
        packets.clear();
        for (byte[] s : segments(spec, payload, 1000, 0)) {
            offer(m, 1, 9000, s);
        }
        m.flush();
        for (byte[] b : packets) {
            assertTrue(b.length - 14 <= 9000, "within the pod MTU: " + b.length);
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] b : packets) {
            assertTrue(TcpFrames.tcpChecksumValid(b, 14));
            all.writeBytes(Arrays.copyOfRange(b, 54, b.length));
        }
        assertArrayEquals(payload, all.toByteArray());
    }

    @Test
    void interleavedFlowsCoalesceSeparatelyAndNonTcpPassesUntouched() {
        TcpCoalescer c = coalescer(17);
        TcpFrames.Spec a = new TcpFrames.Spec(4, 0, 9, ACK, 300, false, 0, 1);
        TcpFrames.Spec b = new TcpFrames.Spec(6, 0, 9, ACK, 300, true, 5, 1);
        byte[] pa = payload(5000, 3);
        byte[] pb = payload(5000, 4);
        List<byte[]> sa = segments(a, pa, 1000, 0);
        List<byte[]> sb = segments(b, pb, 1000, 0);
        byte[] udp = TcpFrames.frame(a, payload(300, 5), true);
        udp[14 + 9] = 17;
        for (int i = 0; i < 5; i++) {
            offer(c, 0, 65000, sa.get(i));
            offer(c, 1, 65000, sb.get(i));
            if (i == 2) {
                offer(c, 0, 65000, udp);
            }
        }
        c.flush();
        assertEquals(3, packets.size());
        assertArrayEquals(udp, packets.get(0), "UDP untouched");
        checkMerged(packets.get(1), a, pa, false);
        checkMerged(packets.get(2), b, pb, false);
        assertEquals(8, c.merged());
    }

    @Test
    void everyOfferedFrameIsSentExactlyOnce() {
        TcpCoalescer c = coalescer(3);
        Random r = new Random(6);
        List<Long> offered = new ArrayList<>();
        TcpFrames.Spec spec = new TcpFrames.Spec(4, 0, 9, ACK, 300, false, 0, 1);
        int seq = 0;
        for (int i = 0; i < 200; i++) {
            int n = 1 + r.nextInt(1400);
            int flags = r.nextInt(10) == 0 ? ACK | PSH : r.nextInt(20) == 0 ? ACK | FIN : ACK;
            int s = r.nextInt(8) == 0 ? seq + 1 : seq;
            offered.add(offer(c, r.nextInt(2), 65000, TcpFrames.frame(spec.withSeq(s).withFlags(flags), payload(n, i), true)));
            seq = s + n;
            if (r.nextInt(16) == 0) {
                c.flush();
            }
        }
        c.flush();
        List<Long> got = new ArrayList<>();
        for (long[] f : frames) {
            for (long x : f) {
                got.add(x);
            }
        }
        got.sort(null);
        offered.sort(null);
        assertEquals(offered, got, "every frame in exactly one sent packet");
        for (byte[] b : packets) {
            assertTrue(TcpFrames.tcpChecksumValid(b, 14));
        }
    }
}
