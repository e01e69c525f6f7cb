package io.xdpmesh.crypto.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * The seed corpora must reach the deep paths, not just the length check: pin what a few seeds do.
 * An edit sets a byte; in a random field (index, ephemeral, ciphertext) one set byte keeps its old
 * value once in 256 runs and the seed stays valid, so each edit seed sets three bytes (2^-24).
 */
class FuzzSeedsTest {
    private static byte[] seed(String target, String name) throws IOException {
        try (InputStream in = FuzzSeedsTest.class.getResourceAsStream(target + "Inputs/fuzz/" + name)) {
            return in.readAllBytes();
        }
    }

    private static String initiation(byte[] input) {
        FuzzSupport.Fixture f = new FuzzSupport.Fixture(input);
        byte[] msg = FuzzSupport.shape(input, f.a.createInitiation(f.bAtA), f.keyB.publicKey());
        HandshakeOutcome out = FuzzSupport.check(f.b, msg, Pair.SRC_A, FuzzSupport.underLoad(input));
        return out.reason() != null ? out.reason().name() : out.kind().name();
    }

    private static String response(byte[] input) {
        FuzzSupport.Fixture f = new FuzzSupport.Fixture(input);
        byte[] valid = f.b.receive(f.a.createInitiation(f.bAtA), Pair.SRC_A, false).reply();
        HandshakeOutcome out = FuzzSupport.check(f.a, FuzzSupport.shape(input, valid, f.keyA.publicKey()),
                Pair.SRC_B, FuzzSupport.underLoad(input));
        return out.reason() != null ? out.reason().name() : out.kind().name();
    }

    private static String cookie(byte[] input) {
        FuzzSupport.Fixture f = new FuzzSupport.Fixture(input);
        byte[] valid = f.b.receive(f.a.createInitiation(f.bAtA), Pair.SRC_A, true).reply();
        HandshakeOutcome out = FuzzSupport.check(f.a, FuzzSupport.shape(input, valid, null), Pair.SRC_B, false);
        return out.reason() != null ? out.reason().name() : out.kind().name();
    }

    @Test
    void initiationSeeds() throws IOException {
        String t = "InitiationFuzzTest";
        assertEquals("SEND_RESPONSE", initiation(seed(t, "valid")));
        assertEquals("SEND_RESPONSE", initiation(seed(t, "valid_psk")));
        assertEquals("COOKIE_NEEDED", initiation(seed(t, "valid_under_load")));
        assertEquals("DECRYPT_FAILED", initiation(seed(t, "edit_remac")));
        assertEquals("BAD_MAC1", initiation(seed(t, "edit_no_remac")));
        assertEquals("BAD_LENGTH", initiation(seed(t, "short")));
    }

    @Test
    void responseSeeds() throws IOException {
        String t = "ResponseFuzzTest";
        assertEquals("SESSION_ESTABLISHED", response(seed(t, "valid")));
        assertEquals("SESSION_ESTABLISHED", response(seed(t, "valid_psk")));
        assertEquals("COOKIE_NEEDED", response(seed(t, "valid_under_load")));
        assertEquals("DECRYPT_FAILED", response(seed(t, "edit_ephemeral_remac")));
    }

    @Test
    void cookieSeeds() throws IOException {
        String t = "CookieReplyFuzzTest";
        assertEquals("COOKIE_STORED", cookie(seed(t, "valid")));
        assertEquals("DECRYPT_FAILED", cookie(seed(t, "edit_remac")));
    }
}
