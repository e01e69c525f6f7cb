package io.xdpmesh.crypto.primitives;

import static io.xdpmesh.crypto.primitives.Hex.s;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** HMAC-BLAKE2s checked against an independent construction: BLAKE2s over the padded key by hand. */
class HmacBlake2sTest {
    @Test
    void matchesTheRfc2104Construction() {
        byte[] key = "a key of 17 bytes".getBytes(StandardCharsets.US_ASCII);
        byte[] msg = "WireGuard v1 zx2c4 Jason@zx2c4.com".getBytes(StandardCharsets.US_ASCII);
        byte[] ipad = new byte[64];
        byte[] opad = new byte[64];
        for (int i = 0; i < 64; i++) {
            byte k = i < key.length ? key[i] : 0;
            ipad[i] = (byte) (k ^ 0x36);
            opad[i] = (byte) (k ^ 0x5c);
        }
        byte[] expected = Blake2s.hash(opad, Blake2s.hash(ipad, msg));
        assertEquals(s(expected), s(HmacBlake2s.hmac(key, msg)));
    }

    @Test
    void longKeysAreHashedFirst() {
        byte[] key = Hex.seq(100);
        byte[] msg = Hex.seq(10);
        assertEquals(s(HmacBlake2s.hmac(Blake2s.hash(key), msg)), s(HmacBlake2s.hmac(key, msg)));
    }
}
