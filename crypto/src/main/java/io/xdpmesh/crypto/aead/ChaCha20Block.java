package io.xdpmesh.crypto.aead;

/**
 * The first 32 bytes of ChaCha20 block 0 (RFC 8439 §2.6: the Poly1305 one-time key) for
 * WireGuard's nonce (4 zero bytes || counter, little-endian). Scalar: one block per message is all
 * a MAC needs, and the vector layouts only pay off from four blocks up. Allocation-free; one
 * thread at a time.
 */
final class ChaCha20Block {
    private final int[] key = new int[8];
    /** The one-time key, little-endian: r = k0 || k1, s = k2 || k3. */
    long k0, k1, k2, k3;

    ChaCha20Block(byte[] key32) {
        if (key32 == null || key32.length != PacketAead.KEY_BYTES) {
            throw new IllegalArgumentException("ChaCha20 key must be 32 bytes");
        }
        for (int i = 0; i < 8; i++) {
            key[i] = (key32[4 * i] & 0xFF) | (key32[4 * i + 1] & 0xFF) << 8 | (key32[4 * i + 2] & 0xFF) << 16
                    | (key32[4 * i + 3] & 0xFF) << 24;
        }
    }

    void polyKey(long counter) {
        final int c0 = 0x61707865, c1 = 0x3320646e, c2 = 0x79622d32, c3 = 0x6b206574;
        final int[] k = key;
        final int n1 = (int) counter, n2 = (int) (counter >>> 32);
        int x0 = c0, x1 = c1, x2 = c2, x3 = c3;
        int x4 = k[0], x5 = k[1], x6 = k[2], x7 = k[3], x8 = k[4], x9 = k[5], x10 = k[6], x11 = k[7];
        int x12 = 0, x13 = 0, x14 = n1, x15 = n2;
        for (int i = 0; i < 10; i++) {
            // column rounds
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 16); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 12);
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 8); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 7);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 16); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 12);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 8); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 7);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 16); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 12);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 8); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 7);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 16); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 12);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 8); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 7);
            // diagonal rounds
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 16); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 12);
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 8); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 7);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 16); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 12);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 8); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 7);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 16); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 12);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 8); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 7);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 16); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 12);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 8); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 7);
        }
        k0 = le(x0 + c0, x1 + c1);
        k1 = le(x2 + c2, x3 + c3);
        k2 = le(x4 + k[0], x5 + k[1]);
        k3 = le(x6 + k[2], x7 + k[3]);
    }

    private static long le(int lo, int hi) {
        return (lo & 0xFFFFFFFFL) | (long) hi << 32;
    }

    void wipe() {
        java.util.Arrays.fill(key, 0);
        k0 = k1 = k2 = k3 = 0;
    }
}
