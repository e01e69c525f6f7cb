package io.xdpmesh.crypto.transport;

/** Why {@link TransportSealer#seal} refused; it returns the negated code. */
public final class SealStatus {
    private SealStatus() {}

    /** No keypair, or past REJECT_AFTER_TIME, or invalidated: a handshake is needed. */
    public static final int NO_VALID_KEYPAIR = 1;
    /** REJECT_AFTER_MESSAGES counters used up: a handshake is needed. */
    public static final int COUNTER_EXHAUSTED = 2;
    /** The region cannot hold the padded message and its tag. */
    public static final int NO_ROOM = 3;

    /** An authenticated (auth verdict) message was asked of a keypair built without MAC keys. */
    public static final int NO_MAC_KEY = 4;

    public static final int COUNT = 5;
    static final String[] NAMES = {"ok", "no_valid_keypair", "counter_exhausted", "no_room", "no_mac_key"};

    public static String name(int code) {
        return code >= 0 && code < COUNT ? NAMES[code] : "unknown(" + code + ")";
    }
}
