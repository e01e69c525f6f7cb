package io.xdpmesh.crypto.noise;

/** Why a handshake message was not accepted. Each has its own counter in {@link HandshakeCounters}. */
public enum RejectReason {
    /** The length does not match the message type (or is shorter than a type field). */
    BAD_LENGTH,
    /** The first 4 bytes (type and reserved, little-endian) are not 1, 2 or 3. */
    BAD_TYPE,
    /** MAC1 does not match our static public key: not meant for us, or damaged. */
    BAD_MAC1,
    /** Under load and MAC2 is missing or stale: a cookie reply was sent instead of an answer. */
    COOKIE_NEEDED,
    /** An AEAD field (static, timestamp, empty, cookie) failed to authenticate. */
    DECRYPT_FAILED,
    /** A Diffie-Hellman result was all zero (a low-order point). */
    BAD_DH,
    /** The initiation's TAI64N timestamp is not newer than the last one accepted from that peer. */
    REPLAYED_TIMESTAMP,
    /** Initiations from that peer arrive faster than one per 20 ms. */
    FLOOD,
    /** The initiator's static key is not a configured peer. */
    UNKNOWN_PEER,
    /** The receiver index names no handshake of ours that is waiting for this message. */
    UNKNOWN_INDEX,
    /** A bug: an unexpected exception was caught, so a bad input can never escape as a throw. */
    INTERNAL_ERROR,
}
