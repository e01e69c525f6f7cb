package io.xdpmesh.crypto.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Fuzzes the initiator's response consumer (type 2), with a handshake waiting for the response. */
class ResponseFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void fuzz(byte[] input) {
        FuzzSupport.Fixture f = new FuzzSupport.Fixture(input);
        HandshakeOutcome r = f.b.receive(f.a.createInitiation(f.bAtA), Pair.SRC_A, false);
        assertEquals(HandshakeOutcome.Kind.SEND_RESPONSE, r.kind());
        byte[] msg = FuzzSupport.shape(input, r.reply(), f.keyA.publicKey());
        FuzzSupport.check(f.a, msg, Pair.SRC_B, FuzzSupport.underLoad(input));
    }
}
