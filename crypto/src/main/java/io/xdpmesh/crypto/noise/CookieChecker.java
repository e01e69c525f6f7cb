package io.xdpmesh.crypto.noise;

import io.xdpmesh.crypto.primitives.XChaCha20Poly1305;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The responder side of WireGuard's DoS defence, for messages sent to us: checks MAC1 (proves the
 * sender knows our public key), checks MAC2 (proves it can receive at its source address), and
 * makes cookie replies. The cookie is MAC(secret, source address) with a random secret that is
 * replaced when older than two minutes.
 */
final class CookieChecker {
    private static final long REFRESH_NANOS = WireGuard.COOKIE_REFRESH_TIME.toNanos();

    private final byte[] mac1Key;
    private final byte[] encryptionKey;
    private final byte[] secret = new byte[32];
    private final SecureRandom random;
    private final HandshakeClock clock;
    private long secretSetNanos;
    private boolean secretSet;

    CookieChecker(byte[] localPublic, SecureRandom random, HandshakeClock clock) {
        this.mac1Key = Macs.labelKey(WireGuard.LABEL_MAC1, localPublic);
        this.encryptionKey = Macs.labelKey(WireGuard.LABEL_COOKIE, localPublic);
        this.random = random;
        this.clock = clock;
    }

    /** {@code msg} is exactly one initiation or response; MAC1 covers everything before it. */
    boolean checkMac1(byte[] msg) {
        int mac1At = msg.length - 2 * WireGuard.MAC_BYTES;
        return Macs.equalAt(Macs.mac(mac1Key, msg, 0, mac1At), msg, mac1At);
    }

    boolean checkMac2(byte[] msg, byte[] source) {
        if (!secretFresh()) {
            return false;
        }
        byte[] cookie = Macs.mac(secret, source, 0, source.length);
        int mac2At = msg.length - WireGuard.MAC_BYTES;
        return Macs.equalAt(Macs.mac(cookie, msg, 0, mac2At), msg, mac2At);
    }

    /** A 64-byte cookie reply to {@code msg}, addressed to the sender index {@code receiver}. */
    byte[] createReply(byte[] msg, int receiver, byte[] source) {
        if (!secretFresh()) {
            random.nextBytes(secret);
            secretSetNanos = clock.nanoTime();
            secretSet = true;
        }
        byte[] cookie = Macs.mac(secret, source, 0, source.length);
        int mac1At = msg.length - 2 * WireGuard.MAC_BYTES;
        byte[] mac1 = Arrays.copyOfRange(msg, mac1At, mac1At + WireGuard.MAC_BYTES);
        byte[] nonce = new byte[XChaCha20Poly1305.NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] sealed = XChaCha20Poly1305.seal(encryptionKey, nonce, cookie, mac1);
        byte[] reply = new byte[WireGuard.COOKIE_REPLY_BYTES];
        WireGuard.putLe32(reply, 0, WireGuard.TYPE_COOKIE_REPLY);
        WireGuard.putLe32(reply, WireGuard.COOKIE_RECEIVER, receiver);
        System.arraycopy(nonce, 0, reply, WireGuard.COOKIE_NONCE, nonce.length);
        System.arraycopy(sealed, 0, reply, WireGuard.COOKIE_SEALED, sealed.length);
        return reply;
    }

    private boolean secretFresh() {
        return secretSet && clock.nanoTime() - secretSetNanos <= REFRESH_NANOS;
    }
}
