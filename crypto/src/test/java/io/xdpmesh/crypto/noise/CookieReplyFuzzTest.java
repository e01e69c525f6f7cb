package io.xdpmesh.crypto.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Fuzzes the cookie-reply consumer (type 3), with an initiation outstanding that it may answer. */
class CookieReplyFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void fuzz(byte[] input) {
        FuzzSupport.Fixture f = new FuzzSupport.Fixture(input);
        HandshakeOutcome r = f.b.receive(f.a.createInitiation(f.bAtA), Pair.SRC_A, true);
        assertEquals(HandshakeOutcome.Kind.SEND_COOKIE_REPLY, r.kind());
        byte[] msg = FuzzSupport.shape(input, r.reply(), null);
        FuzzSupport.check(f.a, msg, Pair.SRC_B, false);
    }
}
