package io.xdpmesh.crypto.primitives;

import java.util.Arrays;

/** HMAC (RFC 2104) over the 32-byte BLAKE2s hash, with its 64-byte block, as WireGuard uses it. */
public final class HmacBlake2s {
    public static final int OUT_BYTES = 32;

    private HmacBlake2s() {}

    /** HMAC-BLAKE2s(key, concatenation of parts), 32 bytes. */
    public static byte[] hmac(byte[] key, byte[]... parts) {
        byte[] k = key.length > Blake2s.BLOCK_BYTES ? Blake2s.hash(key) : key;
        byte[] pad = new byte[Blake2s.BLOCK_BYTES];
        System.arraycopy(k, 0, pad, 0, k.length);
        for (int i = 0; i < pad.length; i++) {
            pad[i] ^= 0x36;
        }
        Blake2s inner = new Blake2s(OUT_BYTES).update(pad);
        for (byte[] p : parts) {
            inner.update(p);
        }
        byte[] innerDigest = inner.digest();
        for (int i = 0; i < pad.length; i++) {
            pad[i] ^= 0x36 ^ 0x5c;
        }
        byte[] out = new Blake2s(OUT_BYTES).update(pad).update(innerDigest).digest();
        Arrays.fill(pad, (byte) 0);
        Arrays.fill(innerDigest, (byte) 0);
        return out;
    }
}
