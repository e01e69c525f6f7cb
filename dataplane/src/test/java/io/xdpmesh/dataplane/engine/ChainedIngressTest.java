package io.xdpmesh.dataplane.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.dataplane.counters.DropReason;
import io.xdpmesh.dataplane.packet.Chain;
import io.xdpmesh.dataplane.packet.Scratch;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * Tunnel ingress of messages that span several descriptors (a jumbo uplink): the chain is gathered
 * into the scratch, opened there, and the inner frame written back into the chain's own frames.
 */
class ChainedIngressTest {
    static final int FRAME = 4096;
    static final int HEADROOM = 256;

    final IngressFixture fx = new IngressFixture("encrypt", 9000);
    final TunnelIngress in = new TunnelIngress();
    final Scratch scratch = new Scratch(128 * 1024);
    final MemorySegment umem = Arena.ofAuto().allocate(32L * FRAME, FRAME);

    /** Lays bytes out as the kernel's XDP_USE_SG RX does: frame i from its headroom, pieceMax bytes each. */
    Chain chainOf(byte[] bytes, int pieceMax) {
        Chain c = new Chain();
        int off = 0;
        for (int i = 0; off < bytes.length; i++) {
            int n = Math.min(pieceMax, bytes.length - off);
            long u = (long) i * FRAME + HEADROOM;
            MemorySegment.copy(MemorySegment.ofArray(bytes), off, umem, u, n);
            assertTrue(c.add(u, umem.address() + u, n));
            off += n;
        }
        return c;
    }

    static byte[] payload(int n) {
        byte[] p = new byte[n];
        for (int i = 0; i < n; i++) {
            p[i] = (byte) (i * 31 + 7);
        }
        return p;
    }

    @Test
    void aJumboMessageInThreeDescriptorsOpensAndIsWrittenBackIntoItsOwnFrames() {
        byte[] inner = IngressFixture.udp4("10.1.2.1", "10.1.1.1", payload(8000 - 28));
        byte[] frame = fx.frame(inner);
        assertTrue(frame.length > 2 * (FRAME - HEADROOM), "spans three frames: " + frame.length);
        Chain c = chainOf(frame, FRAME - HEADROOM);
        assertEquals(3, c.count());
        assertEquals(TunnelIngress.DELIVER, in.decodeChain(c, scratch, fx.state, fx.sessions, System.nanoTime()));
        assertEquals(14 + inner.length, in.frameLen);
        long[] addr = new long[17];
        int[] len = new int[17];
        int k = c.scatter(scratch.base + in.ethOffset, in.frameLen, FRAME, addr, len);
        assertTrue(k >= 1 && k <= 3, "pieces " + k);
        byte[] back = new byte[in.frameLen];
        int at = 0;
        for (int i = 0; i < k; i++) {
            assertEquals(c.umem(i), addr[i], "written where the piece starts");
            assertTrue((addr[i] & (FRAME - 1)) + len[i] <= FRAME, "inside its own frame");
            MemorySegment.copy(umem, ValueLayout.JAVA_BYTE, addr[i], back, at, len[i]);
            at += len[i];
        }
        assertEquals(in.frameLen, at);
        byte[] ip = java.util.Arrays.copyOfRange(back, 14, back.length);
        assertArrayEquals(inner, ip, "the inner packet, decrypted, behind an Ethernet header");
        assertEquals(0x08, back[12]);
        assertEquals(0x00, back[13]);
    }

    @Test
    void everySplitOfTheSameMessageOpensAlike() {
        for (int piece : new int[] {256, 1000, 1500, 3840}) {
            byte[] inner = IngressFixture.udp4("10.1.2.1", "10.1.1.1", payload(6000));
            Chain c = chainOf(fx.frame(inner), piece);
            assertEquals(TunnelIngress.DELIVER, in.decodeChain(c, scratch, fx.state, fx.sessions, System.nanoTime()),
                    "pieces of " + piece + ": " + in.reason);
            assertArrayEquals(inner, scratch.seg.asSlice(in.ethOffset + 14, inner.length).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void aTamperedPieceFailsAuthenticationAndASpoofedInnerSourceIsRefused() {
        byte[] frame = fx.frame(IngressFixture.udp4("10.1.2.1", "10.1.1.1", payload(7000)));
        frame[5000] ^= 4; // in the second piece
        assertEquals(TunnelIngress.DROP, in.decodeChain(chainOf(frame, 3840), scratch, fx.state, fx.sessions, System.nanoTime()));
        assertEquals(DropReason.TUNNEL_AUTH_FAILED, in.reason);
        byte[] spoofed = fx.frame(IngressFixture.udp4("10.1.2.2", "10.1.1.1", payload(7000)));
        assertEquals(TunnelIngress.DROP, in.decodeChain(chainOf(spoofed, 3840), scratch, fx.state, fx.sessions, System.nanoTime()));
        assertEquals(DropReason.INNER_SPOOFED_SOURCE, in.reason);
    }

    @Test
    void aChainLargerThanTheScratchIsACountedDrop() {
        Scratch small = new Scratch(4096);
        byte[] frame = fx.frame(IngressFixture.udp4("10.1.2.1", "10.1.1.1", payload(7000)));
        assertEquals(TunnelIngress.DROP, in.decodeChain(chainOf(frame, 3840), small, fx.state, fx.sessions, System.nanoTime()));
        assertEquals(DropReason.MTU_EXCEEDED, in.reason);
    }

    @Test
    void scatterRefusesWhatTheFramesCannotHold() {
        Chain c = chainOf(new byte[5000], 3840);
        long[] addr = new long[17];
        int[] len = new int[17];
        assertEquals(-1, c.scatter(scratch.base, 2 * 3840 + 1, FRAME, addr, len));
        assertEquals(2, c.scatter(scratch.base, 2 * 3840, FRAME, addr, len));
        assertEquals(1, c.scatter(scratch.base, 100, FRAME, addr, len));
    }

    @Test
    void spillFillsFreshFramesWholeAndKeepsTheReserve() {
        io.xdpmesh.xdp.xsk.FrameStack frames = new io.xdpmesh.xdp.xsk.FrameStack(8, FRAME);
        byte[] msg = payload(9014);
        MemorySegment.copy(MemorySegment.ofArray(msg), 0, scratch.seg, 0, msg.length);
        long[] addr = new long[17];
        int[] len = new int[17];
        assertEquals(-1, Scratch.spill(scratch.base, msg.length, frames, umem.address(), FRAME, 6, addr, len));
        assertEquals(8, frames.available(), "nothing taken when refused");
        int k = Scratch.spill(scratch.base, msg.length, frames, umem.address(), FRAME, 2, addr, len);
        assertEquals(3, k);
        assertEquals(5, frames.available());
        assertEquals(FRAME, len[0]);
        assertEquals(FRAME, len[1]);
        assertEquals(9014 - 2 * FRAME, len[2]);
        byte[] back = new byte[msg.length];
        int at = 0;
        for (int i = 0; i < k; i++) {
            assertEquals(0, addr[i] & (FRAME - 1), "a fresh frame from its start");
            MemorySegment.copy(umem, ValueLayout.JAVA_BYTE, addr[i], back, at, len[i]);
            at += len[i];
        }
        assertArrayEquals(msg, back);
    }
}
