package io.xdpmesh.crypto.primitives;

import java.util.Arrays;

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha): HChaCha20 turns the key and the first 16 nonce
 * bytes into a subkey, then ChaCha20-Poly1305 runs with nonce 0^4 ‖ the last 8 nonce bytes.
 * WireGuard encrypts its cookie reply with it.
 */
public final class XChaCha20Poly1305 {
    public static final int NONCE_BYTES = 24;

    private XChaCha20Poly1305() {}

    public static byte[] seal(byte[] key, byte[] nonce24, byte[] plaintext, byte[] aad) {
        byte[] subkey = subkey(key, nonce24);
        try {
            return ChaChaPoly.seal(subkey, innerNonce(nonce24), plaintext, aad);
        } finally {
            Arrays.fill(subkey, (byte) 0);
        }
    }

    /** Returns the plaintext, or null when the tag does not verify. */
    public static byte[] open(byte[] key, byte[] nonce24, byte[] ciphertext, byte[] aad) {
        byte[] subkey = subkey(key, nonce24);
        try {
            return ChaChaPoly.open(subkey, innerNonce(nonce24), ciphertext, aad);
        } finally {
            Arrays.fill(subkey, (byte) 0);
        }
    }

    private static byte[] subkey(byte[] key, byte[] nonce24) {
        if (nonce24.length != NONCE_BYTES) {
            throw new IllegalArgumentException("XChaCha20 nonce must be 24 bytes, got " + nonce24.length);
        }
        return hchacha20(key, Arrays.copyOf(nonce24, 16));
    }

    private static byte[] innerNonce(byte[] nonce24) {
        byte[] n = new byte[12];
        System.arraycopy(nonce24, 16, n, 4, 8);
        return n;
    }

    /** HChaCha20: 20 ChaCha rounds over key and a 16-byte input, no final addition, words 0-3 and 12-15. */
    public static byte[] hchacha20(byte[] key, byte[] in16) {
        if (key.length != 32 || in16.length != 16) {
            throw new IllegalArgumentException("HChaCha20 needs a 32-byte key and a 16-byte input");
        }
        int[] s = new int[16];
        s[0] = ChaChaCore.SIGMA0;
        s[1] = ChaChaCore.SIGMA1;
        s[2] = ChaChaCore.SIGMA2;
        s[3] = ChaChaCore.SIGMA3;
        for (int i = 0; i < 8; i++) {
            s[4 + i] = le32(key, 4 * i);
        }
        for (int i = 0; i < 4; i++) {
            s[12 + i] = le32(in16, 4 * i);
        }
        ChaChaCore.permute(s, s);
        byte[] out = new byte[32];
        for (int i = 0; i < 4; i++) {
            putLe32(out, 4 * i, s[i]);
            putLe32(out, 16 + 4 * i, s[12 + i]);
        }
        Arrays.fill(s, 0);
        return out;
    }

    private static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | b[off + 3] << 24;
    }

    private static void putLe32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
