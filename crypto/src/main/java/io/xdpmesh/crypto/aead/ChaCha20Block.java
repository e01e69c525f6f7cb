package io.xdpmesh.crypto.aead;

import io.xdpmesh.crypto.primitives.ChaChaCore;
import java.util.Arrays;

/**
 * The first 32 bytes of ChaCha20 block 0 (RFC 8439 §2.6: the Poly1305 one-time key) for
 * WireGuard's nonce (4 zero bytes || counter, little-endian). Scalar: one block per message is all
 * a MAC needs, and the vector layouts only pay off from four blocks up. Allocation-free; one
 * thread at a time.
 */
final class ChaCha20Block {
    /** Constants, key, block counter 0, nonce words (0, counter low, counter high). */
    private final int[] state = new int[16];
    private final int[] mixed = new int[16];
    /** The one-time key, little-endian: r = k0 || k1, s = k2 || k3. */
    long k0, k1, k2, k3;

    ChaCha20Block(byte[] key32) {
        if (key32 == null || key32.length != PacketAead.KEY_BYTES) {
            throw new IllegalArgumentException("ChaCha20 key must be 32 bytes");
        }
        state[0] = ChaChaCore.SIGMA0;
        state[1] = ChaChaCore.SIGMA1;
        state[2] = ChaChaCore.SIGMA2;
        state[3] = ChaChaCore.SIGMA3;
        for (int i = 0; i < 8; i++) {
            state[4 + i] = (key32[4 * i] & 0xFF) | (key32[4 * i + 1] & 0xFF) << 8 | (key32[4 * i + 2] & 0xFF) << 16
                    | (key32[4 * i + 3] & 0xFF) << 24;
        }
    }

    void polyKey(long counter) {
        int[] s = state;
        s[14] = (int) counter;
        s[15] = (int) (counter >>> 32);
        int[] x = mixed;
        ChaChaCore.permute(s, x);
        k0 = le(x[0] + s[0], x[1] + s[1]);
        k1 = le(x[2] + s[2], x[3] + s[3]);
        k2 = le(x[4] + s[4], x[5] + s[5]);
        k3 = le(x[6] + s[6], x[7] + s[7]);
    }

    private static long le(int lo, int hi) {
        return (lo & 0xFFFFFFFFL) | (long) hi << 32;
    }

    void wipe() {
        Arrays.fill(state, 0);
        Arrays.fill(mixed, 0);
        k0 = k1 = k2 = k3 = 0;
    }
}
