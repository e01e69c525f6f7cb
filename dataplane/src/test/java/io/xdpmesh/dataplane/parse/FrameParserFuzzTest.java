package io.xdpmesh.dataplane.parse;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;

/** Any bytes at all: the parser returns a verdict, never throws, and never points outside the frame. */
class FrameParserFuzzTest {
    private final ParsedFrame out = new ParsedFrame();

    @FuzzTest(maxDuration = "10s")
    void parseArbitraryFrames(byte[] frame) {
        MemorySegment seg = MemorySegment.ofArray(frame);
        ParseVerdict v = FrameParser.parse(seg, 0, frame.length, out);
        assertNotNull(v);
        if (v == ParseVerdict.OK) {
            assertTrue(out.l3Offset + out.ipPacketLength <= frame.length, "IP packet inside the frame");
            assertTrue(out.l3HeaderLength <= out.ipPacketLength, "header inside the packet");
            assertTrue(out.l4Offset == -1 || out.l4Offset < out.l3Offset + out.ipPacketLength + 1, "l4 inside the packet");
        }
    }
}
