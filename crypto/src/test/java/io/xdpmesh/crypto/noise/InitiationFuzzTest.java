package io.xdpmesh.crypto.noise;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Fuzzes the responder's initiation consumer (type 1): see {@link FuzzSupport} for the input recipe. */
class InitiationFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void fuzz(byte[] input) {
        FuzzSupport.Fixture f = new FuzzSupport.Fixture(input);
        byte[] msg = FuzzSupport.shape(input, f.a.createInitiation(f.bAtA), f.keyB.publicKey());
        FuzzSupport.check(f.b, msg, Pair.SRC_A, FuzzSupport.underLoad(input));
    }
}
