package io.xdpmesh.dataplane.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.crypto.transport.TransportData;
import io.xdpmesh.dataplane.packet.Chain;
import io.xdpmesh.dataplane.packet.Mem;
import io.xdpmesh.dataplane.packet.Scratch;
import io.xdpmesh.xdp.xsk.FrameStack;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The jumbo path's per-packet steps, as the dataplane runs them, allocate nothing once compiled:
 * build and seal an 8.9 KB packet in a scratch, spill it into fresh 4 KiB frames (a TX chain),
 * take those frames as an RX chain, gather and open it in another scratch, write the inner frame
 * back into the chain's frames, free them. The ciphers come from the production factory (packets of
 * 1792 B and more go to OpenSSL EVP over FFM, as in the agent; crypto's vector AEAD is not meant
 * for 9 KB packets, and profiling it at that size in this JVM disturbs the other tests' JIT).
 * Not timed: counts bytes allocated by this thread (as crypto's AllocationTest).
 */
class ChainedPathAllocationTest {
    static final int FRAME = 4096;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final java.lang.management.CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    final IngressFixture fx;
    final TunnelIngress in = new TunnelIngress();
    final Scratch tx = new Scratch(128 * 1024);
    final Scratch rx = new Scratch(128 * 1024);
    final MemorySegment umem = Arena.ofAuto().allocate(64L * FRAME, FRAME);
    final long umemBase = umem.address();
    final FrameStack frames = new FrameStack(64, FRAME);
    final Chain chain = new Chain();
    final long[] addr = new long[17];
    final int[] len = new int[17];
    final long[] back = new long[17];
    final int[] backLen = new int[17];
    final MemorySegment inner;
    final MemorySegment outer;
    final int innerLen;

    ChainedPathAllocationTest() {
        fx = new IngressFixture("encrypt", 9000, io.xdpmesh.dataplane.session.Aeads::create);
        byte[] p = IngressFixture.udp4("10.1.2.1", "10.1.1.1", new byte[8900]);
        innerLen = p.length;
        inner = Arena.ofAuto().allocate(p.length);
        MemorySegment.copy(MemorySegment.ofArray(p), 0, inner, 0, p.length);
        byte[] f = fx.frame(IngressFixture.udp4("10.1.2.1", "10.1.1.1", new byte[1]));
        outer = Arena.ofAuto().allocate(42);
        MemorySegment.copy(MemorySegment.ofArray(f), 0, outer, 0, 42); // Ethernet, IPv4, UDP to the tunnel port
    }

    /** One packet through seal + spill + gather + open + write-back; false if it was not delivered. */
    boolean once() {
        long wg = Scratch.INNER - TransportData.HEADER_BYTES;
        Mem.copy(inner.address(), tx.base + Scratch.INNER, innerLen);
        int m = fx.sealer.seal(fx.sender, tx.seg, wg, innerLen, fx.sealMtu, System.nanoTime());
        long o = tx.base + wg - 42;
        Mem.copy(outer.address(), o, 42);
        Mem.putBe16(o + 14 + 2, 28 + m);
        Mem.putBe16(o + 34 + 4, 8 + m);
        int k = Scratch.spill(o, 42 + m, frames, umemBase, FRAME, 0, addr, len);
        chain.reset();
        for (int i = 0; i < k; i++) {
            chain.add(addr[i], umemBase + addr[i], len[i]);
        }
        boolean ok = k == 3 && in.decodeChain(chain, rx, fx.state, fx.sessions, System.nanoTime()) == TunnelIngress.DELIVER
                && chain.scatter(rx.base + in.ethOffset, in.frameLen, FRAME, back, backLen) > 0;
        for (int i = 0; i < k; i++) {
            frames.free(addr[i]);
        }
        return ok;
    }

    boolean round(int n) {
        boolean ok = true;
        for (int i = 0; i < n; i++) {
            ok &= once();
        }
        return ok;
    }

    @Test
    void sealSpillGatherOpenAndWriteBackAllocateNothing() {
        assertTrue(round(1), "a jumbo packet goes through: " + in.reason);
        long tid = Thread.currentThread().threadId();
        int quiet = 0;
        for (int r = 0; r < 60 && quiet < 2; r++) { // warm-up until two rounds neither allocate nor compile
            long jit = JIT.getTotalCompilationTime();
            long before = THREADS.getThreadAllocatedBytes(tid);
            boolean ok = round(2_000);
            long got = THREADS.getThreadAllocatedBytes(tid) - before;
            assertTrue(ok, "delivered during warm-up: " + in.reason);
            quiet = got == 0 && JIT.getTotalCompilationTime() == jit ? quiet + 1 : 0;
        }
        assertEquals(2, quiet, "still allocating or compiling after warm-up");
        for (int attempt = 1; ; attempt++) {
            long jit = JIT.getTotalCompilationTime();
            long before = THREADS.getThreadAllocatedBytes(tid);
            boolean ok = round(10_000);
            long allocated = THREADS.getThreadAllocatedBytes(tid) - before;
            boolean jitActive = JIT.getTotalCompilationTime() != jit;
            assertTrue(ok, "every packet delivered: " + in.reason);
            if (allocated == 0 || !jitActive || attempt == 3) {
                assertEquals(0, allocated, "bytes allocated over 10k jumbo packets" + (jitActive ? " (JIT active)" : ""));
                return;
            }
        }
    }
}
