package io.xdpmesh.dataplane.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;

/**
 * The ingress path (outer parse, tunnel checks, session lookup, open in place, inner parse,
 * anti-spoofing) with arbitrary frames and with mutated genuine ones: it never throws, a delivered
 * packet always lies inside the frame and always comes from the session's own remote identity.
 */
class TunnelIngressFuzzTest {
    private final IngressFixture fx = new IngressFixture();
    private final TunnelIngress in = new TunnelIngress();

    @FuzzTest(maxDuration = "20s")
    void ingressNeverThrowsAndNeverDeliversASpoofedPacket(FuzzedDataProvider data) {
        int mode = data.consumeInt(0, 2);
        byte[] frame;
        if (mode == 0) {
            frame = data.consumeRemainingAsBytes();
        } else {
            String src = data.consumeBoolean() ? "10.1.2.1" : "10.1.2.2";
            String dst = data.consumeBoolean() ? "10.1.1.1" : "10.1.2.1";
            byte[] payload = data.consumeBytes(data.consumeInt(0, 1400));
            frame = fx.frame(IngressFixture.udp4(src, dst, payload));
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
        MemorySegment seg = MemorySegment.ofArray(frame);
        int r = in.decode(seg, 0, frame.length, fx.state, fx.sessions, System.nanoTime());
        if (r == TunnelIngress.DROP) {
            assertNotNull(in.reason);
        } else if (r == TunnelIngress.DELIVER) {
            assertTrue(in.ethOffset >= 0 && in.ethOffset + in.frameLen <= frame.length, "delivered packet inside the frame");
            int srcEp = fx.state.table.lookup(in.pf.srcHi, in.pf.srcLo);
            assertEquals(fx.state.table.identityNumber("spiffe://t.test/b"), fx.state.table.identityOf(srcEp));
            assertEquals(fx.state.table.identityNumber("spiffe://t.test/a"),
                    fx.state.table.identityOf(fx.state.table.lookup(in.pf.dstHi, in.pf.dstLo)));
        } else {
            assertEquals(TunnelIngress.KEEPALIVE, r);
        }
    }
}
