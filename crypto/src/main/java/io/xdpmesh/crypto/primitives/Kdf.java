package io.xdpmesh.crypto.primitives;

import java.util.Arrays;

/**
 * WireGuard's KDF_n (HKDF, RFC 5869, over HMAC-BLAKE2s with the chaining key as salt): τ0 =
 * HMAC(key, input), τ1 = HMAC(τ0, 0x1), τi = HMAC(τ0, τ(i-1) ‖ i). Each output is 32 bytes.
 */
public final class Kdf {
    private Kdf() {}

    public static byte[] kdf1(byte[] key, byte[] input) {
        return kdf(1, key, input)[0];
    }

    public static byte[][] kdf2(byte[] key, byte[] input) {
        return kdf(2, key, input);
    }

    public static byte[][] kdf3(byte[] key, byte[] input) {
        return kdf(3, key, input);
    }

    private static byte[][] kdf(int n, byte[] key, byte[] input) {
        byte[] prk = HmacBlake2s.hmac(key, input);
        byte[][] out = new byte[n][];
        byte[] prev = new byte[0];
        for (int i = 0; i < n; i++) {
            out[i] = HmacBlake2s.hmac(prk, prev, new byte[] {(byte) (i + 1)});
            prev = out[i];
        }
        Arrays.fill(prk, (byte) 0);
        return out;
    }
}
