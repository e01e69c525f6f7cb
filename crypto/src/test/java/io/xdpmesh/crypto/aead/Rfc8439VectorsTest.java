package io.xdpmesh.crypto.aead;

import static io.xdpmesh.crypto.aead.Impls.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * RFC 8439 vectors. Those whose nonce is WireGuard-shaped (first 4 bytes zero) and whose data
 * starts at block counter 1 go through every implementation's public API; those with AAD or another
 * nonce prefix go through the Java implementation's test-only general entry points.
 */
class Rfc8439VectorsTest {
    private static final byte[] SUNSCREEN = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip"
            + " for the future, sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);

    /** Nonce bytes 4..11 as WireGuard's little-endian counter. */
    private static long counterOf(String nonceHex) {
        byte[] n = hex(nonceHex);
        return MemorySegment.ofArray(n).get(Poly1305.LE64, 4);
    }

    private static int prefixOf(String nonceHex) {
        byte[] n = hex(nonceHex);
        return (n[0] & 0xFF) | (n[1] & 0xFF) << 8 | (n[2] & 0xFF) << 16 | (n[3] & 0xFF) << 24;
    }

    private static byte[] sealCiphertext(Function<byte[], PacketAead> impl, byte[] key, long counter, byte[] pt) {
        MemorySegment buf = MemorySegment.ofArray(Arrays.copyOf(pt, pt.length + 16));
        try (PacketAead a = impl.apply(key)) {
            a.seal(buf, 0, pt.length, counter);
        }
        return buf.asSlice(0, pt.length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    private static void forAll(String key, String nonce, byte[] pt, String expectedCiphertext) {
        for (Function<byte[], PacketAead> impl : Impls.fast()) {
            assertArrayEquals(hex(expectedCiphertext), sealCiphertext(impl, hex(key), counterOf(nonce), pt),
                    impl.apply(hex(key)).implementation());
        }
        assertArrayEquals(hex(expectedCiphertext), sealCiphertext(JdkPacketAead::new, hex(key), counterOf(nonce), pt));
    }

    @Test
    void section242ChaCha20Encryption() {
        forAll("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "000000000000004a00000000", SUNSCREEN,
                """
                6e 2e 35 9a 25 68 f9 80 41 ba 07 28 dd 0d 69 81 e9 7e 7a ec 1d 43 60 c2 0a 27 af cc fd 9f ae 0b
                f9 1b 65 c5 52 47 33 ab 8f 59 3d ab cd 62 b3 57 16 39 d6 24 e6 51 52 ab 8f 53 0c 35 9f 08 61 d8
                07 ca 0d bf 50 0d 6a 61 56 a3 8e 08 8a 22 b6 5e 52 bc 51 4d 16 cc f8 06 81 8c e9 1a b7 79 37 36
                5a f9 0b bf 74 a3 5b e6 b4 0b 8e ed f2 78 5e 42 87 4d""");
    }

    @Test
    void appendixA1BlockFunctionAtCounterOneAndTwo() {
        // A.1 #2: all-zero key and nonce, block counter 1 (the first block that encrypts).
        forAll("00".repeat(32), "00".repeat(12), new byte[64], """
                9f 07 e7 be 55 51 38 7a 98 ba 97 7c 73 2d 08 0d cb 0f 29 a0 48 e3 65 69 12 c6 53 3e 32 ee 7a ed
                29 b7 21 76 9c e6 4e 43 d5 71 33 b0 74 d8 39 d5 31 ed 1f 28 51 0a fb 45 ac e1 0a 1f 4b 79 4d 6f""");
        // A.1 #3: key ends in 01, block counter 1.
        forAll("00".repeat(31) + "01", "00".repeat(12), new byte[64], """
                3a eb 52 24 ec f8 49 92 9b 9d 82 8d b1 ce d4 dd 83 20 25 e8 01 8b 81 60 b8 22 84 f3 c9 49 aa 5a
                8e ca 00 bb b4 a7 3b da d1 92 b5 c4 2f 73 f2 fd 4e 27 36 44 c8 b3 61 25 a6 4a dd eb 00 6c 13 a0""");
        // A.1 #4: key 00 ff 00.., block counter 2 = the second 64 bytes of data.
        byte[] two = new byte[128];
        for (Function<byte[], PacketAead> impl : Impls.fast()) {
            byte[] ct = sealCiphertext(impl, hex("00ff" + "00".repeat(30)), 0, two);
            assertArrayEquals(hex("""
                    72 d5 4d fb f1 2e c4 4b 36 26 92 df 94 13 7f 32 8f ea 8d a7 39 90 26 5e c1 bb be a1 ae 9a f0 ca
                    13 b2 5a a2 6c b4 a6 48 cb 9b 9d 1b e6 5b 2c 09 24 a6 6c 54 d5 45 ec 1b 73 74 f4 87 2e 99 f0 96"""),
                    Arrays.copyOfRange(ct, 64, 128));
        }
    }

    @Test
    void section252Poly1305() {
        byte[] tag = new byte[16];
        Poly1305.mac(hex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b"),
                "Cryptographic Forum Research Group".getBytes(StandardCharsets.US_ASCII), tag);
        assertArrayEquals(hex("a8061dc1305136c6c22b8baf0c0127a9"), tag);
    }

    @Test
    void appendixA3Poly1305Jabberwocky() {
        byte[] msg = hex("""
                27 54 77 61 73 20 62 72 69 6c 6c 69 67 2c 20 61 6e 64 20 74 68 65 20 73 6c 69 74 68 79 20 74 6f
                76 65 73 0a 44 69 64 20 67 79 72 65 20 61 6e 64 20 67 69 6d 62 6c 65 20 69 6e 20 74 68 65 20 77
                61 62 65 3a 0a 41 6c 6c 20 6d 69 6d 73 79 20 77 65 72 65 20 74 68 65 20 62 6f 72 6f 67 6f 76 65
                73 2c 0a 41 6e 64 20 74 68 65 20 6d 6f 6d 65 20 72 61 74 68 73 20 6f 75 74 67 72 61 62 65 2e""");
        byte[] tag = new byte[16];
        Poly1305.mac(hex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0"), msg, tag);
        assertArrayEquals(hex("4541669a7eaaee61e708dc7cbcc5eb62"), tag);
    }

    /** Poly1305 against a BigInteger model, including all-ones messages and keys that stress the final reduction. */
    @Test
    void poly1305MatchesBigIntegerModel() {
        Random rnd = new Random(8439);
        BigInteger p = BigInteger.ONE.shiftLeft(130).subtract(BigInteger.valueOf(5));
        for (int iter = 0; iter < 3000; iter++) {
            byte[] key = new byte[32];
            byte[] msg = new byte[iter < 2000 ? rnd.nextInt(200) : rnd.nextInt(2100)]; // long ones take the 8-block vector path
            switch (iter % 3) {
                case 0 -> { rnd.nextBytes(key); rnd.nextBytes(msg); }
                case 1 -> { Arrays.fill(key, (byte) 0xFF); Arrays.fill(msg, (byte) 0xFF); }
                default -> { rnd.nextBytes(key); Arrays.fill(key, 16, 32, (byte) 0xFF); Arrays.fill(msg, (byte) 0xFF); }
            }
            byte[] r = Arrays.copyOf(key, 16);
            int[] clampAnd = {0xFF, 0xFF, 0xFF, 0x0F, 0xFC, 0xFF, 0xFF, 0x0F, 0xFC, 0xFF, 0xFF, 0x0F, 0xFC, 0xFF, 0xFF, 0x0F};
            for (int i = 0; i < 16; i++) {
                r[i] &= (byte) clampAnd[i];
            }
            BigInteger rr = le(r), s = le(Arrays.copyOfRange(key, 16, 32)), acc = BigInteger.ZERO;
            for (int i = 0; i < msg.length; i += 16) {
                int n = Math.min(16, msg.length - i);
                byte[] blk = Arrays.copyOf(Arrays.copyOfRange(msg, i, i + n), n + 1);
                blk[n] = 1;
                acc = acc.add(le(blk)).multiply(rr).mod(p);
            }
            BigInteger t = acc.add(s).mod(BigInteger.ONE.shiftLeft(128));
            byte[] want = new byte[16];
            for (int i = 0; i < 16; i++) {
                want[i] = t.shiftRight(8 * i).byteValue();
            }
            byte[] got = new byte[16];
            Poly1305.mac(key, msg, got);
            assertArrayEquals(want, got, "iteration " + iter);
        }
    }

    /**
     * A running accumulator entering the 8-block vector path (lane 0) and leaving it into the
     * one-block loop: MAC the same bytes in two calls split anywhere, and in one call.
     */
    @Test
    void poly1305SplitAcrossVectorAndScalarPathsMatchesOneCall() {
        Random rnd = new Random(1305);
        for (int iter = 0; iter < 400; iter++) {
            int len = 16 * rnd.nextInt(200);
            byte[] msg = new byte[len];
            if (iter % 4 == 0) {
                Arrays.fill(msg, (byte) 0xFF);
            } else {
                rnd.nextBytes(msg);
            }
            long[] k = {rnd.nextLong(), rnd.nextLong(), rnd.nextLong(), rnd.nextLong()};
            if (iter % 4 == 1) {
                k[0] = k[1] = -1L; // r with every allowed bit set
            }
            MemorySegment m = MemorySegment.ofArray(msg);
            byte[] one = new byte[16], two = new byte[16];
            Poly1305 p = new Poly1305();
            p.init(k[0], k[1], k[2], k[3]);
            p.blocks(m, 0, len);
            p.finishAead(len, MemorySegment.ofArray(one), 0);
            int split = 16 * rnd.nextInt(len / 16 + 1);
            p.init(k[0], k[1], k[2], k[3]);
            p.blocks(m, 0, split);
            p.blocks(m, split, len);
            p.finishAead(len, MemorySegment.ofArray(two), 0);
            assertArrayEquals(one, two, "len " + len + " split " + split);
        }
    }

    private static BigInteger le(byte[] b) {
        byte[] be = new byte[b.length + 1];
        for (int i = 0; i < b.length; i++) {
            be[b.length - i] = b[i];
        }
        return new BigInteger(be);
    }

    @Test
    void section282Aead() {
        byte[] key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        String nonce = "070000004041424344454647";
        byte[] aad = hex("50515253c0c1c2c3c4c5c6c7");
        byte[] want = hex("""
                d3 1a 8d 34 64 8e 60 db 7b 86 af bc 53 ef 7e c2 a4 ad ed 51 29 6e 08 fe a9 e2 b5 a7 36 ee 62 d6
                3d be a4 5e 8c a9 67 12 82 fa fb 69 da 92 72 8b 1a 71 de 0a 9e 06 0b 29 05 d6 a5 b6 7e cd 3b 36
                92 dd bd 7f 2d 77 8b 8c 98 03 ae e3 28 09 1b 58 fa b3 24 e4 fa d6 75 94 55 85 80 8b 48 31 d7 bc
                3f f4 de f0 8e 4b 7a 9d e5 76 d2 65 86 ce c6 4b 61 16
                1a e1 0b 59 4f 09 e2 6a 7e 90 2e cb d0 60 06 91""");
        byte[] buf = Arrays.copyOf(SUNSCREEN, SUNSCREEN.length + 16);
        try (VectorPacketAead a = new VectorPacketAead(key)) {
            a.sealRfc(MemorySegment.ofArray(buf), 0, SUNSCREEN.length, prefixOf(nonce), counterOf(nonce), aad);
            assertArrayEquals(want, buf);
            assertTrue(a.openRfc(MemorySegment.ofArray(buf), 0, SUNSCREEN.length, prefixOf(nonce), counterOf(nonce), aad));
            assertArrayEquals(SUNSCREEN, Arrays.copyOf(buf, SUNSCREEN.length));
        }
    }

    @Test
    void appendixA5AeadDecryption() {
        byte[] key = hex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
        String nonce = "000000000102030405060708";
        byte[] aad = hex("f33388860000000000004e91");
        byte[] ct = hex("""
                64 a0 86 15 75 86 1a f4 60 f0 62 c7 9b e6 43 bd 5e 80 5c fd 34 5c f3 89 f1 08 67 0a c7 6c 8c b2
                4c 6c fc 18 75 5d 43 ee a0 9e e9 4e 38 2d 26 b0 bd b7 b7 3c 32 1b 01 00 d4 f0 3b 7f 35 58 94 cf
                33 2f 83 0e 71 0b 97 ce 98 c8 a8 4a bd 0b 94 81 14 ad 17 6e 00 8d 33 bd 60 f9 82 b1 ff 37 c8 55
                97 97 a0 6e f4 f0 ef 61 c1 86 32 4e 2b 35 06 38 36 06 90 7b 6a 7c 02 b0 f9 f6 15 7b 53 c8 67 e4
                b9 16 6c 76 7b 80 4d 46 a5 9b 52 16 cd e7 a4 e9 90 40 c5 a4 04 33 22 5e e2 82 a1 b0 a0 6c 52 3e
                af 45 34 d7 f8 3f a1 15 5b 00 47 71 8c bc 54 6a 0d 07 2b 04 b3 56 4e ea 1b 42 22 73 f5 48 27 1a
                0b b2 31 60 53 fa 76 99 19 55 eb d6 31 59 43 4e ce bb 4e 46 6d ae 5a 10 73 a6 72 76 27 09 7a 10
                49 e6 17 d9 1d 36 10 94 fa 68 f0 ff 77 98 71 30 30 5b ea ba 2e da 04 df 99 7b 71 4d 6c 6f 2c 29
                a6 ad 5c b4 02 2b 02 70 9b
                ee ad 9d 67 89 0c bb 22 39 23 36 fe a1 85 1f 38""");
        byte[] plain = ("Internet-Drafts are draft documents valid for a maximum of six months and may be updated, replaced,"
                + " or obsoleted by other documents at any time. It is inappropriate to use Internet-Drafts as reference"
                + " material or to cite them other than as /\u201cwork in progress./\u201d").getBytes(StandardCharsets.UTF_8);
        int len = ct.length - 16;
        byte[] buf = ct.clone();
        try (VectorPacketAead a = new VectorPacketAead(key)) {
            assertTrue(a.openRfc(MemorySegment.ofArray(buf), 0, len, prefixOf(nonce), counterOf(nonce), aad));
            assertArrayEquals(plain, Arrays.copyOf(buf, len));
            // the same bytes with one flipped tag bit must be rejected
            byte[] bad = ct.clone();
            bad[bad.length - 1] ^= 1;
            assertFalse(a.openRfc(MemorySegment.ofArray(bad), 0, len, prefixOf(nonce), counterOf(nonce), aad));
        }
    }
}
