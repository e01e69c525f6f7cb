package io.xdpmesh.dataplane.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.xdpmesh.dataplane.parse.FrameParser;
import io.xdpmesh.dataplane.parse.ParseVerdict;
import io.xdpmesh.dataplane.parse.ParsedFrame;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Sequences of TCP segments with fuzzed headers (sequence gaps, flags, options, versions, ports,
 * MTUs, flipped bytes) and arbitrary frames: every offered frame is sent exactly once, nothing
 * merged exceeds its pod's MTU or the descriptor bound, and when every input had a valid TCP
 * checksum every output has one too.
 */
class TcpCoalescerFuzzTest {
    private static final int FRAME = 4096;
    private static final int FRAMES = 64;
    private static final MemorySegment MEM = Arena.global().allocate((long) FRAMES * FRAME, 4096);
    private final ParsedFrame pf = new ParsedFrame();

    @FuzzTest(maxDuration = "20s")
    void everyFrameOnceAndMergedFramesValid(FuzzedDataProvider data) {
        int maxPieces = data.consumeInt(1, 17);
        List<Long> offered = new ArrayList<>();
        List<Long> got = new ArrayList<>();
        List<byte[]> out = new ArrayList<>();
        int[] mtus = new int[2];
        TcpCoalescer c = new TcpCoalescer(MEM.address(), maxPieces, data.consumeInt(1, 4), (port, addr, len, from, n) -> {
            assertTrue(n <= maxPieces, "descriptor bound");
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int i = 0; i < n; i++) {
                got.add(addr[from + i] & ~(FRAME - 1L));
                b.writeBytes(TcpFrames.read(MEM, addr[from + i], len[from + i]));
            }
            if (n > 1) {
                assertTrue(b.size() - 14 <= mtus[port], "merged frame within the pod MTU");
            }
            out.add(b.toByteArray());
        });
        mtus[0] = data.consumeInt(1280, 65000);
        mtus[1] = data.consumeInt(1280, 65000);
        boolean allValid = true;
        int seq = data.consumeInt();
        TcpFrames.Spec spec = new TcpFrames.Spec(data.consumeBoolean() ? 4 : 6, seq, data.consumeInt(), 0x10,
                data.consumeInt(0, 0xffff), data.consumeBoolean(), data.consumeInt(), 7);
        for (int f = 0; f < FRAMES && data.remainingBytes() > 0; f++) {
            byte[] frame;
            boolean valid;
            if (data.consumeInt(0, 9) == 0) {
                frame = data.consumeBytes(data.consumeInt(0, 3000));
                valid = false;
            } else {
                int flags = data.consumeInt(0, 7) == 0 ? data.consumeInt(0, 255) : 0x10 | (data.consumeBoolean() ? 0x08 : 0);
                int s = data.consumeInt(0, 7) == 0 ? data.consumeInt() : seq;
                int n = data.consumeInt(0, 1400);
                TcpFrames.Spec sp = spec.withSeq(s).withFlags(flags).withTsval(data.consumeInt(0, 5) == 0 ? 1 : spec.tsval());
                valid = data.consumeInt(0, 9) != 0;
                frame = TcpFrames.frame(sp, data.consumeBytes(n), valid);
                if (data.consumeInt(0, 9) == 0) {
                    frame[data.consumeInt(0, frame.length - 1)] ^= (byte) data.consumeInt(1, 255);
                    valid = false;
                }
                seq = s + n;
            }
            long a = (long) f * FRAME + 256 + data.consumeInt(0, 63);
            if (frame.length > FRAME - (a % FRAME)) {
                continue;
            }
            MemorySegment.copy(frame, 0, MEM, java.lang.foreign.ValueLayout.JAVA_BYTE, a, frame.length);
            if (FrameParser.parse(MEM, a, frame.length, pf) != ParseVerdict.OK) {
                continue;
            }
            allValid &= valid || !(pf.protocol == 6 && pf.l3HeaderLength == (pf.ipVersion == 4 ? 20 : 40));
            offered.add(a & ~(FRAME - 1L));
            int port = data.consumeInt(0, 1);
            c.offer(port, mtus[port], a, frame.length, pf);
            if (data.consumeInt(0, 15) == 0) {
                c.flush();
            }
        }
        c.flush();
        offered.sort(null);
        got.sort(null);
        assertEquals(offered, got, "every offered frame sent exactly once");
        if (allValid) {
            for (byte[] b : out) {
                if (b.length > 54 && (b[12] == 0x08 || b[12] == (byte) 0x86) && TcpFrames.u16(b, 12) != 0
                        && ((b[14] & 0xff) >>> 4 == 4 ? b[23] == 6 : b[20] == 6)) {
                    assertTrue(TcpFrames.tcpChecksumValid(b, 14), "merged TCP checksum");
                }
            }
        }
    }
}
