package io.xdpmesh.crypto.primitives;

import static io.xdpmesh.crypto.primitives.Hex.b;
import static io.xdpmesh.crypto.primitives.Hex.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class X25519Test {
    /** RFC 7748 §5.2; the second u has its top bit set, which must be ignored. */
    @ParameterizedTest
    @CsvSource({
        "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4, e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c, c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
        "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d, e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493, 95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957",
    })
    void rfc7748Section5_2(String k, String u, String out) {
        assertEquals(out, s(X25519.scalarMult(b(k), b(u))));
    }

    /** RFC 7748 §5.2 iterated: k = u = 9, then k = X25519(k, u), u = old k; one iteration. */
    @Test
    void rfc7748IteratedOnce() {
        byte[] k = new byte[32];
        k[0] = 9;
        byte[] u = k.clone();
        byte[] r = X25519.scalarMult(k, u);
        assertEquals("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079", s(r));
    }

    @Test
    void rfc7748Section6_1() {
        byte[] aPriv = b("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bPriv = b("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        byte[] aPub = X25519.publicKey(aPriv);
        byte[] bPub = X25519.publicKey(bPriv);
        assertEquals("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", s(aPub));
        assertEquals("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", s(bPub));
        String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        assertEquals(shared, s(X25519.scalarMult(aPriv, bPub)));
        assertEquals(shared, s(X25519.scalarMult(bPriv, aPub)));
    }

    @Test
    void lowOrderPointsGiveNull() {
        byte[] k = X25519.generatePrivateKey(new SecureRandom());
        assertNull(X25519.scalarMult(k, new byte[32]));
        byte[] one = new byte[32];
        one[0] = 1;
        assertNull(X25519.scalarMult(k, one));
    }

    @Test
    void generatedKeysAgree() {
        SecureRandom r = new SecureRandom();
        byte[] a = X25519.generatePrivateKey(r);
        byte[] c = X25519.generatePrivateKey(r);
        assertArrayEquals(X25519.scalarMult(a, X25519.publicKey(c)), X25519.scalarMult(c, X25519.publicKey(a)));
    }
}
