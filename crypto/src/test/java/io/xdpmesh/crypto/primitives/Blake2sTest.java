package io.xdpmesh.crypto.primitives;

import static io.xdpmesh.crypto.primitives.Hex.b;
import static io.xdpmesh.crypto.primitives.Hex.s;
import static io.xdpmesh.crypto.primitives.Hex.seq;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class Blake2sTest {
    @Test
    void rfc7693AppendixBAbc() {
        assertEquals("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982",
                s(Blake2s.hash("abc".getBytes(StandardCharsets.US_ASCII))));
    }

    /** blake2s-kat.txt (blake2.net): key 00..1f, input 00..(n-1). */
    @ParameterizedTest
    @CsvSource({
        "0,   48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49",
        "1,   40d15fee7c328830166ac3f918650f807e7e01e177258cdc0a39b11f598066f1",
        "2,   6bb71300644cd3991b26ccd4d274acd1adeab8b1d7914546c1198bbe9fc9d803",
        "78,  172ffc67153d12e0ca76a8b6cd5d4731885b39ce0cac93a8972a18006c8b8baf",
        "164, 4f8ce1e51d2fe7f24043a904d898ebfc91975418753413aa099b795ecb35cedb",
        "255, 3fb735061abc519dfe979e54c1ee5bfad0a9d858b3315bad34bde999efd724dd",
    })
    void keyedKat(int len, String expected) {
        assertEquals(expected, s(Blake2s.mac(seq(32), 32, seq(len))));
    }

    @ParameterizedTest
    @CsvSource({"78", "164", "255"})
    void anySplitGivesTheSameDigest(int len) {
        byte[] in = seq(len);
        byte[] whole = Blake2s.mac(seq(32), 32, in);
        Random r = new Random(len);
        for (int trial = 0; trial < 50; trial++) {
            Blake2s b2 = new Blake2s(32, seq(32));
            int pos = 0;
            while (pos < len) {
                int n = Math.min(len - pos, r.nextInt(70));
                b2.update(in, pos, n);
                pos += n;
            }
            assertArrayEquals(whole, b2.digest());
        }
    }

    /** RFC 7693 Appendix E self-test: 16/20/28/32-byte outputs, keyed and unkeyed, many lengths. */
    @Test
    void rfc7693AppendixESelfTest() {
        int[] outLens = {16, 20, 28, 32};
        int[] inLens = {0, 3, 64, 65, 255, 1024};
        Blake2s all = new Blake2s(32);
        for (int outLen : outLens) {
            for (int inLen : inLens) {
                byte[] in = selfTestSequence(inLen, inLen);
                all.update(new Blake2s(outLen).update(in).digest());
                all.update(new Blake2s(outLen, selfTestSequence(outLen, outLen)).update(in).digest());
            }
        }
        assertEquals("6a411f08ce25adcdfb02aba641451cec53c598b24f4fc787fbdc88797f4c1dfe", s(all.digest()));
    }

    private static byte[] selfTestSequence(int len, int seed) {
        int a = 0xDEAD4BAD * seed;
        int bb = 1;
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) {
            int t = a + bb;
            a = bb;
            bb = t;
            out[i] = (byte) (t >>> 24);
        }
        return out;
    }

    @Test
    void rejectsBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> new Blake2s(33));
        assertThrows(IllegalArgumentException.class, () -> new Blake2s(0));
        assertThrows(IllegalArgumentException.class, () -> new Blake2s(32, new byte[33]));
    }

    @Test
    void hmacAndKdfAreConsistentWithTheirDefinition() {
        // HKDF expand step by hand: the KDF outputs chain through HMAC-BLAKE2s.
        byte[] ck = b("01".repeat(32));
        byte[] in = seq(32);
        byte[] prk = HmacBlake2s.hmac(ck, in);
        byte[] t1 = HmacBlake2s.hmac(prk, new byte[] {1});
        byte[] t2 = HmacBlake2s.hmac(prk, t1, new byte[] {2});
        byte[] t3 = HmacBlake2s.hmac(prk, t2, new byte[] {3});
        byte[][] k3 = Kdf.kdf3(ck, in);
        assertArrayEquals(t1, Kdf.kdf1(ck, in));
        assertArrayEquals(t1, k3[0]);
        assertArrayEquals(t2, k3[1]);
        assertArrayEquals(t3, k3[2]);
    }
}
