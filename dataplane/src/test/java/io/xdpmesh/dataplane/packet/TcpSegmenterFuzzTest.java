package io.xdpmesh.dataplane.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.xdpmesh.dataplane.parse.FrameParser;
import io.xdpmesh.dataplane.parse.ParseVerdict;
import io.xdpmesh.dataplane.parse.ParsedFrame;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Arbitrary or mutated superframes, cut into descriptor chains of arbitrary piece sizes: the parser
 * and {@link TcpSegmenter#plan} decide, and whatever is segmented comes out as segments within the
 * MTU, each with a valid TCP checksum (checked independently), whose payloads rebuild the original.
 */
class TcpSegmenterFuzzTest {
    private static final int OUT = 32 * 8192;
    private static final MemorySegment MEM = Arena.global().allocate(OUT + 300 * 4096L, 4096);
    private final Chain chain = new Chain();
    private final ParsedFrame pf = new ParsedFrame();

    @FuzzTest(maxDuration = "20s")
    void segmentsAreValidAndRebuildThePayload(FuzzedDataProvider data) {
        int piece = data.consumeInt(64, 3840);
        int mtu = data.consumeInt(68, 4000);
        byte[] frame;
        if (data.consumeBoolean()) {
            frame = data.consumeRemainingAsBytes();
        } else {
            int version = data.consumeBoolean() ? 4 : 6;
            TcpFrames.Spec spec = new TcpFrames.Spec(version, data.consumeInt(), data.consumeInt(),
                    data.consumeInt(0, 255), data.consumeInt(0, 0xffff), data.consumeBoolean(), data.consumeInt(), data.consumeInt(0, 0xffff));
            frame = TcpFrames.frame(spec, new byte[data.consumeInt(0, 60_000)], data.consumeBoolean());
            for (int i = data.consumeInt(0, 3); i > 0; i--) {
                frame[data.consumeInt(0, Math.min(frame.length, 120) - 1)] ^= (byte) data.consumeInt(1, 255);
            }
        }
        if (frame.length == 0 || (frame.length + piece - 1) / piece > Chain.MAX) {
            return;
        }
        TcpSegmenterTest.toChain(MEM, chain, frame, piece);
        if (FrameParser.parse(MEM, chain.umem(0), chain.total(), chain.len(0), pf) != ParseVerdict.OK) {
            return;
        }
        int mss = TcpSegmenter.plan(chain, pf, mtu, 256, 3840);
        if (mss <= 0) {
            return;
        }
        int thl = TcpSegmenter.headerLength(chain.abs(0) + pf.l4Offset);
        int ihl = pf.l4Offset - pf.l3Offset;
        int payload = pf.ipPacketLength - ihl - thl;
        int headers = pf.l4Offset + thl;
        int n = TcpSegmenter.segments(payload, mss);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            long dst = OUT + (long) i * 4096;
            int len = TcpSegmenter.write(chain, pf.l3Offset, pf.ipVersion, ihl, pf.l4Offset, thl, payload, mss, i,
                    MEM.address() + dst);
            assertTrue(len - pf.l3Offset <= mtu, "segment within the MTU");
            byte[] s = TcpFrames.read(MEM, dst, len);
            if (pf.l3HeaderLength == (pf.ipVersion == 4 ? 20 : 40)) { // the reference knows no options/extensions
                assertTrue(TcpFrames.tcpChecksumValid(s, pf.l3Offset), "TCP checksum of segment " + i);
            }
            joined.write(s, headers, len - headers);
        }
        assertArrayEquals(Arrays.copyOfRange(frame, headers, pf.l3Offset + pf.ipPacketLength), joined.toByteArray());
    }
}
