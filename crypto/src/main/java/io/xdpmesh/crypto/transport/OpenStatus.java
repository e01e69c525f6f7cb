package io.xdpmesh.crypto.transport;

/**
 * Why {@link TransportOpener#open} rejected a message. {@code open} returns the negated code, so
 * any negative result is a reject and {@code -result} indexes {@link #NAMES} and the opener's
 * counters.
 */
public final class OpenStatus {
    private OpenStatus() {}

    /** Shorter than a keepalive (32 bytes). */
    public static final int TOO_SHORT = 1;
    /** First word is not the expected type (4, or 0x84 for authenticated messages) with three zero reserved bytes. */
    public static final int BAD_TYPE = 2;
    /**
     * The padding is not WireGuard's: the plaintext is not the inner packet rounded up to a
     * multiple of 16 (nor, for a plaintext that is not a multiple of 16, rounded up to an MTU cap).
     */
    public static final int NOT_ALIGNED = 3;
    /** No keypair for the receiver index (the caller passed null, or one with another index). */
    public static final int UNKNOWN_INDEX = 4;
    /** Counter already seen, or more than the window (8128) behind the highest one seen. */
    public static final int REPLAY = 5;
    /** Counter at or above REJECT_AFTER_MESSAGES. */
    public static final int COUNTER_LIMIT = 6;
    /** Poly1305 tag mismatch: forged, corrupted, or sealed with another key. */
    public static final int AUTH_FAILED = 7;
    /** Keypair past REJECT_AFTER_TIME or invalidated by the control plane. */
    public static final int KEYPAIR_EXPIRED = 8;
    /** Authentic, but the plaintext is not an IPv4/IPv6 packet whose length fits. */
    public static final int BAD_INNER_PACKET = 9;

    /** An authenticated (auth verdict) message for a keypair built without MAC keys. */
    public static final int NO_MAC_KEY = 10;

    /**
     * The counter's receive window (see {@code Keypair}) belongs to another dataplane thread: only
     * its owner may check and update it.
     */
    public static final int WRONG_THREAD = 11;

    public static final int COUNT = 12;
    static final String[] NAMES = {
        "ok", "too_short", "bad_type", "not_aligned", "unknown_index", "replay",
        "counter_limit", "auth_failed", "keypair_expired", "bad_inner_packet", "no_mac_key", "wrong_thread",
    };

    public static String name(int code) {
        return code >= 0 && code < COUNT ? NAMES[code] : "unknown(" + code + ")";
    }
}
