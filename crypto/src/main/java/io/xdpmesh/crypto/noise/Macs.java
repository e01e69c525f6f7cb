package io.xdpmesh.crypto.noise;

import io.xdpmesh.crypto.primitives.Blake2s;
import java.security.MessageDigest;

/** MAC1/MAC2 arithmetic shared by the checker (responder) and the generator (initiator). */
final class Macs {
    private Macs() {}

    /** HASH(label ‖ static public key): the MAC1 key or the cookie encryption key. */
    static byte[] labelKey(byte[] label, byte[] publicKey) {
        return Blake2s.hash(label, publicKey);
    }

    /** 16-byte keyed BLAKE2s over {@code msg[off..off+len)}. */
    static byte[] mac(byte[] key, byte[] msg, int off, int len) {
        byte[] out = new byte[WireGuard.MAC_BYTES];
        new Blake2s(WireGuard.MAC_BYTES, key).update(msg, off, len).digest(out, 0);
        return out;
    }

    /** Constant-time comparison of a computed MAC with the one at {@code msg[at..at+16)}. */
    static boolean equalAt(byte[] mac, byte[] msg, int at) {
        int diff = 0;
        for (int i = 0; i < WireGuard.MAC_BYTES; i++) {
            diff |= mac[i] ^ msg[at + i];
        }
        return diff == 0;
    }

    static boolean isEqual(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }
}
