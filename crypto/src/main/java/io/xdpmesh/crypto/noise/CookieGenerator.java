package io.xdpmesh.crypto.noise;

import io.xdpmesh.crypto.primitives.XChaCha20Poly1305;
import java.util.Arrays;

/**
 * The initiator side, per peer: writes MAC1 (keyed with the peer's public key) into the messages
 * we send, MAC2 when we hold a cookie younger than two minutes, and takes cookie replies, which
 * are only valid when sealed with the MAC1 of the last message we sent.
 */
final class CookieGenerator {
    private static final long REFRESH_NANOS = WireGuard.COOKIE_REFRESH_TIME.toNanos();

    private final byte[] mac1Key;
    private final byte[] encryptionKey;
    private final HandshakeClock clock;
    private final byte[] lastMac1 = new byte[WireGuard.MAC_BYTES];
    private boolean hasLastMac1;
    private byte[] cookie;
    private long cookieSetNanos;

    CookieGenerator(byte[] remotePublic, HandshakeClock clock) {
        this.mac1Key = Macs.labelKey(WireGuard.LABEL_MAC1, remotePublic);
        this.encryptionKey = Macs.labelKey(WireGuard.LABEL_COOKIE, remotePublic);
        this.clock = clock;
    }

    void addMacs(byte[] msg) {
        int mac1At = msg.length - 2 * WireGuard.MAC_BYTES;
        int mac2At = msg.length - WireGuard.MAC_BYTES;
        byte[] mac1 = Macs.mac(mac1Key, msg, 0, mac1At);
        System.arraycopy(mac1, 0, msg, mac1At, mac1.length);
        System.arraycopy(mac1, 0, lastMac1, 0, mac1.length);
        hasLastMac1 = true;
        if (cookie != null && clock.nanoTime() - cookieSetNanos <= REFRESH_NANOS) {
            byte[] mac2 = Macs.mac(cookie, msg, 0, mac2At);
            System.arraycopy(mac2, 0, msg, mac2At, mac2.length);
        } else {
            Arrays.fill(msg, mac2At, msg.length, (byte) 0);
        }
    }

    /** Opens a cookie reply; false when we sent nothing it could answer or it does not authenticate. */
    boolean consumeReply(byte[] reply) {
        if (!hasLastMac1) {
            return false;
        }
        byte[] nonce = Arrays.copyOfRange(reply, WireGuard.COOKIE_NONCE, WireGuard.COOKIE_SEALED);
        byte[] sealed = Arrays.copyOfRange(reply, WireGuard.COOKIE_SEALED, WireGuard.COOKIE_REPLY_BYTES);
        byte[] opened = XChaCha20Poly1305.open(encryptionKey, nonce, sealed, lastMac1);
        if (opened == null) {
            return false;
        }
        cookie = opened;
        cookieSetNanos = clock.nanoTime();
        return true;
    }

    boolean hasFreshCookie() {
        return cookie != null && clock.nanoTime() - cookieSetNanos <= REFRESH_NANOS;
    }
}
