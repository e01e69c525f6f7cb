package io.xdpmesh.dataplane.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.xdpmesh.dataplane.packet.Chain;
import io.xdpmesh.dataplane.packet.Scratch;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The ingress path (outer parse, tunnel checks, session lookup, open in place, inner parse,
 * anti-spoofing) with arbitrary frames and with mutated genuine ones: it never throws, a delivered
 * packet always lies inside the frame and always comes from the session's own remote identity.
 * Frames may also arrive as descriptor chains of arbitrary piece sizes (a jumbo uplink, up to
 * 9000-byte genuine messages): gathered, opened in the scratch, and the delivered frame written
 * back into the chain's own frames byte for byte.
 */
class TunnelIngressFuzzTest {
    private static final int FRAME = 4096;
    private static final int HEADROOM = 256;
    private final IngressFixture fx = new IngressFixture();
    private final IngressFixture jumbo = new IngressFixture("encrypt", 9000);
    private final TunnelIngress in = new TunnelIngress();
    private final Scratch scratch = new Scratch(128 * 1024);
    private final MemorySegment umem = Arena.ofAuto().allocate(Chain.MAX * (long) FRAME, FRAME);
    private final Chain chain = new Chain();
    private final long[] addr = new long[17];
    private final int[] len = new int[17];

    @FuzzTest(maxDuration = "20s")
    void ingressNeverThrowsAndNeverDeliversASpoofedPacket(FuzzedDataProvider data) {
        int mode = data.consumeInt(0, 2);
        boolean chained = data.consumeBoolean();
        int piece = chained ? data.consumeInt(256, FRAME - HEADROOM) : 0;
        IngressFixture f = chained ? jumbo : fx;
        byte[] frame;
        if (mode == 0) {
            frame = data.consumeRemainingAsBytes();
        } else {
            String src = data.consumeBoolean() ? "10.1.2.1" : "10.1.2.2";
            String dst = data.consumeBoolean() ? "10.1.1.1" : "10.1.2.1";
            byte[] payload = data.consumeBytes(data.consumeInt(0, chained ? 8900 : 1400));
            frame = f.frame(IngressFixture.udp4(src, dst, payload));
            int flips = mode == 2 ? data.consumeInt(1, 4) : 0;
            for (int i = 0; i < flips && frame.length > 0; i++) {
                int at = data.consumeInt(0, frame.length - 1);
                frame[at] ^= (byte) data.consumeInt(1, 255);
            }
            if (data.consumeBoolean() && frame.length > 1) {
                int cut = data.consumeInt(1, frame.length);
                frame = java.util.Arrays.copyOf(frame, cut);
            }
        }
        int r;
        MemorySegment seg;
        long size;
        if (chained && frame.length > 0 && layOut(frame, piece)) {
            r = in.decodeChain(chain, scratch, f.state, f.sessions, System.nanoTime());
            seg = scratch.seg;
            size = chain.total();
        } else {
            seg = MemorySegment.ofArray(frame);
            size = frame.length;
            r = in.decode(seg, 0, frame.length, f.state, f.sessions, System.nanoTime());
            chained = false;
        }
        if (r == TunnelIngress.DROP) {
            assertNotNull(in.reason);
        } else if (r == TunnelIngress.DELIVER) {
            assertTrue(in.ethOffset >= 0 && in.ethOffset + in.frameLen <= size, "delivered packet inside the frame");
            int srcEp = f.state.table.lookup(in.pf.srcHi, in.pf.srcLo);
            assertEquals(f.state.table.identityNumber("spiffe://t.test/b"), f.state.table.identityOf(srcEp));
            assertEquals(f.state.table.identityNumber("spiffe://t.test/a"),
                    f.state.table.identityOf(f.state.table.lookup(in.pf.dstHi, in.pf.dstLo)));
            if (chained) {
                checkWrittenBack();
            }
        } else {
            assertEquals(TunnelIngress.KEEPALIVE, r);
        }
    }

    /** The frame as the kernel's XDP_USE_SG RX lays it out: frame i from its headroom, piece bytes each. */
    private boolean layOut(byte[] frame, int piece) {
        if ((frame.length + piece - 1) / piece > Chain.MAX) {
            return false;
        }
        chain.reset();
        for (int i = 0, off = 0; off < frame.length; i++) {
            int n = Math.min(piece, frame.length - off);
            long u = (long) i * FRAME + HEADROOM;
            MemorySegment.copy(MemorySegment.ofArray(frame), off, umem, u, n);
            chain.add(u, umem.address() + u, n);
            off += n;
        }
        return true;
    }

    private void checkWrittenBack() {
        byte[] want = scratch.seg.asSlice(in.ethOffset, in.frameLen).toArray(ValueLayout.JAVA_BYTE);
        int k = chain.scatter(scratch.base + in.ethOffset, in.frameLen, FRAME, addr, len);
        if (k < 0) {
            return; // more pieces than a TX chain takes: the dataplane drops it, counted
        }
        byte[] got = new byte[in.frameLen];
        int at = 0;
        for (int i = 0; i < k; i++) {
            assertTrue((addr[i] & (FRAME - 1)) + len[i] <= FRAME, "a piece stays inside its frame");
            MemorySegment.copy(umem, ValueLayout.JAVA_BYTE, addr[i], got, at, len[i]);
            at += len[i];
        }
        assertEquals(in.frameLen, at);
        assertArrayEquals(want, got);
    }
}
