package io.xdpmesh.crypto.transport;

import java.util.concurrent.TimeUnit;

/**
 * WireGuard's protocol constants (whitepaper §6.1, the kernel's messages.h, wireguard-go's
 * constants.go). Message counters are unsigned 64-bit values held in a {@code long}: compare them
 * with {@link Long#compareUnsigned}. Times are in nanoseconds, for {@link System#nanoTime()}-style
 * clocks.
 */
public final class WireGuardConstants {
    private WireGuardConstants() {}

    /** 2^60: after this many messages on a keypair the sender asks for a new handshake. */
    public static final long REKEY_AFTER_MESSAGES = 1L << 60;
    /**
     * 2^64 - 2^13 - 1 as an unsigned value: a counter at or above it is never sent nor accepted.
     * The 2^13 margin keeps a full replay window below 2^64.
     */
    public static final long REJECT_AFTER_MESSAGES = -(1L << 13) - 1;

    public static final long REKEY_AFTER_TIME = TimeUnit.SECONDS.toNanos(120);
    public static final long REJECT_AFTER_TIME = TimeUnit.SECONDS.toNanos(180);
    public static final long REKEY_ATTEMPT_TIME = TimeUnit.SECONDS.toNanos(90);
    public static final long REKEY_TIMEOUT = TimeUnit.SECONDS.toNanos(5);
    public static final long KEEPALIVE_TIMEOUT = TimeUnit.SECONDS.toNanos(10);
    /** Keys are wiped when no new handshake happened for three times REJECT_AFTER_TIME. */
    public static final long ZERO_KEYS_AFTER = 3 * REJECT_AFTER_TIME;
    /** An initiator rekeys on receive this long after creation, so it never reaches REJECT_AFTER_TIME. */
    public static final long REKEY_ON_RECEIVE_AFTER_TIME = REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT;
    /** Maximum random jitter (WireGuard: 333 ms) added to a handshake retransmission. */
    public static final long REKEY_TIMEOUT_JITTER_MAX = TimeUnit.MILLISECONDS.toNanos(333);
}
