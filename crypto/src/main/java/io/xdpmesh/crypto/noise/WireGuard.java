package io.xdpmesh.crypto.noise;

import io.xdpmesh.crypto.primitives.Blake2s;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** WireGuard's protocol strings, message layouts and handshake timing, exactly as the whitepaper. */
public final class WireGuard {
    private WireGuard() {}

    public static final byte[] CONSTRUCTION = ascii("Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s");
    public static final byte[] IDENTIFIER = ascii("WireGuard v1 zx2c4 Jason@zx2c4.com");
    public static final byte[] LABEL_MAC1 = ascii("mac1----");
    public static final byte[] LABEL_COOKIE = ascii("cookie--");

    /** C0 = HASH(CONSTRUCTION), H0 = HASH(C0 ‖ IDENTIFIER): the same for every handshake. */
    static final byte[] INITIAL_CHAIN_KEY = Blake2s.hash(CONSTRUCTION);
    static final byte[] INITIAL_HASH = Blake2s.hash(INITIAL_CHAIN_KEY, IDENTIFIER);

    public static final int TYPE_INITIATION = 1;
    public static final int TYPE_RESPONSE = 2;
    public static final int TYPE_COOKIE_REPLY = 3;
    public static final int TYPE_TRANSPORT = 4;

    public static final int KEY_BYTES = 32;
    public static final int TAG_BYTES = 16;
    public static final int MAC_BYTES = 16;
    public static final int TIMESTAMP_BYTES = 12;

    /** Initiation: type, sender, ephemeral, AEAD(static), AEAD(timestamp), mac1, mac2. */
    public static final int INITIATION_SENDER = 4;
    public static final int INITIATION_EPHEMERAL = 8;
    public static final int INITIATION_STATIC = 40;
    public static final int INITIATION_TIMESTAMP = 88;
    public static final int INITIATION_MAC1 = 116;
    public static final int INITIATION_MAC2 = 132;
    public static final int INITIATION_BYTES = 148;

    /** Response: type, sender, receiver, ephemeral, AEAD(empty), mac1, mac2. */
    public static final int RESPONSE_SENDER = 4;
    public static final int RESPONSE_RECEIVER = 8;
    public static final int RESPONSE_EPHEMERAL = 12;
    public static final int RESPONSE_EMPTY = 44;
    public static final int RESPONSE_MAC1 = 60;
    public static final int RESPONSE_MAC2 = 76;
    public static final int RESPONSE_BYTES = 92;

    /** Cookie reply: type, receiver, 24-byte nonce, XAEAD(cookie). */
    public static final int COOKIE_RECEIVER = 4;
    public static final int COOKIE_NONCE = 8;
    public static final int COOKIE_SEALED = 32;
    public static final int COOKIE_REPLY_BYTES = 64;

    /** Both the responder's cookie secret and the initiator's stored cookie live this long. */
    public static final Duration COOKIE_REFRESH_TIME = Duration.ofSeconds(120);
    /** At most 50 initiations per second are consumed from one peer (flood protection). */
    public static final Duration HANDSHAKE_INITIATION_RATE = Duration.ofMillis(20);
    public static final Duration REKEY_TIMEOUT = Duration.ofSeconds(5);

    static int getLe32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | b[off + 3] << 24;
    }

    static void putLe32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
