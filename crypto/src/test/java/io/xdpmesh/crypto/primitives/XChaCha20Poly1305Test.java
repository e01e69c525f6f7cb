package io.xdpmesh.crypto.primitives;

import static io.xdpmesh.crypto.primitives.Hex.b;
import static io.xdpmesh.crypto.primitives.Hex.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class XChaCha20Poly1305Test {
    /** draft-irtf-cfrg-xchacha-03 §2.2.1. */
    @Test
    void hchacha20DraftVector() {
        assertEquals("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc",
                s(XChaCha20Poly1305.hchacha20(Hex.seq(32), b("000000090000004a0000000031415927"))));
    }

    /** draft-irtf-cfrg-xchacha-03 §A.3.1 (first 32 ciphertext bytes and the tag). */
    @Test
    void aeadDraftVector() {
        byte[] pt = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future,"
                + " sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);
        byte[] aad = b("50515253c0c1c2c3c4c5c6c7");
        byte[] key = b("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        byte[] nonce = b("404142434445464748494a4b4c4d4e4f5051525354555657");
        byte[] ct = XChaCha20Poly1305.seal(key, nonce, pt, aad);
        assertEquals(pt.length + 16, ct.length);
        assertEquals("bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb", s(Arrays.copyOf(ct, 32)));
        assertEquals("c0875924c1c7987947deafd8780acf49", s(Arrays.copyOfRange(ct, ct.length - 16, ct.length)));
        assertArrayEquals(pt, XChaCha20Poly1305.open(key, nonce, ct, aad));
        ct[5] ^= 1;
        assertNull(XChaCha20Poly1305.open(key, nonce, ct, aad));
    }
}
