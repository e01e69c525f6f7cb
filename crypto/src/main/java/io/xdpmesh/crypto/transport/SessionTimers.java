package io.xdpmesh.crypto.transport;

import static io.xdpmesh.crypto.transport.WireGuardConstants.KEEPALIVE_TIMEOUT;
import static io.xdpmesh.crypto.transport.WireGuardConstants.REKEY_ATTEMPT_TIME;
import static io.xdpmesh.crypto.transport.WireGuardConstants.REKEY_TIMEOUT;
import static io.xdpmesh.crypto.transport.WireGuardConstants.REKEY_TIMEOUT_JITTER_MAX;
import static io.xdpmesh.crypto.transport.WireGuardConstants.ZERO_KEYS_AFTER;

import java.util.random.RandomGenerator;

/**
 * WireGuard's per-peer timers (whitepaper §6.2–6.5, wireguard-go timers.go) as pure logic: events
 * report what happened at time {@code now}, {@link #poll(long)} says what is due. No threads, no
 * clock of its own, no allocation; one thread (the one that sends and receives for the peer) owns
 * an instance.
 *
 * <ul>
 *   <li>Passive keepalive: data received and nothing sent back for KEEPALIVE_TIMEOUT: send a
 *       keepalive, so the peer knows the session works.</li>
 *   <li>Unanswered data: data sent and nothing received for KEEPALIVE_TIMEOUT + REKEY_TIMEOUT:
 *       start a new handshake.</li>
 *   <li>Handshake retransmission every REKEY_TIMEOUT (+ jitter) until REKEY_ATTEMPT_TIME, then
 *       give up.</li>
 *   <li>Key freshness on send and on receive: see {@link #shouldInitiateOnSend} and
 *       {@link #shouldInitiateOnReceive}.</li>
 *   <li>Keys are zeroed 3 × REJECT_AFTER_TIME after the last new session.</li>
 *   <li>Optional persistent keepalive every N nanoseconds of silence.</li>
 * </ul>
 */
public final class SessionTimers {
    /** poll(): send a keepalive now (an empty transport message). */
    public static final int SEND_KEEPALIVE = 1;
    /** poll(): start a new handshake (nothing heard back after sending data). */
    public static final int INITIATE_HANDSHAKE = 1 << 1;
    /** poll(): resend the handshake initiation, then call {@link #onHandshakeInitiated}. */
    public static final int RETRANSMIT_HANDSHAKE = 1 << 2;
    /** poll(): the handshake attempt timed out after REKEY_ATTEMPT_TIME: drop what waits for it. */
    public static final int HANDSHAKE_GAVE_UP = 1 << 3;
    /** poll(): wipe and drop every keypair of the peer. */
    public static final int ZERO_KEYS = 1 << 4;
    /** poll(): the persistent-keepalive interval passed in silence: send a keepalive. */
    public static final int PERSISTENT_KEEPALIVE = 1 << 5;

    /** Retransmissions before giving up: REKEY_ATTEMPT_TIME / REKEY_TIMEOUT, as WireGuard. */
    public static final int MAX_HANDSHAKE_RETRANSMITS = (int) (REKEY_ATTEMPT_TIME / REKEY_TIMEOUT);

    private final RandomGenerator jitter;
    private final long persistentKeepaliveInterval;

    private boolean keepaliveArmed;
    private long keepaliveDeadline;
    private boolean newHandshakeArmed;
    private long newHandshakeDeadline;
    private boolean handshakeInProgress;
    private int retransmits;
    private boolean retransmitArmed;
    private long retransmitDeadline;
    private boolean anyInitiationSent;
    private long lastInitiationSent;
    private boolean lastMinuteHandshakeSent;
    private boolean zeroKeysArmed;
    private long zeroKeysDeadline;
    private long lastTraversal;
    private boolean traversed;

    /**
     * @param jitter                      source of the 0–333 ms retransmission jitter, or null for none
     * @param persistentKeepaliveInterval nanoseconds, 0 for off
     */
    public SessionTimers(RandomGenerator jitter, long persistentKeepaliveInterval) {
        this.jitter = jitter;
        this.persistentKeepaliveInterval = persistentKeepaliveInterval;
    }

    public SessionTimers() {
        this(null, 0);
    }

    private long jitter() {
        return jitter == null ? 0 : jitter.nextLong(REKEY_TIMEOUT_JITTER_MAX + 1);
    }

    /** A data (non-keepalive) packet was sent. */
    public void onDataSent(long now) {
        if (!newHandshakeArmed) {
            newHandshakeArmed = true;
            newHandshakeDeadline = now + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter();
        }
    }

    /** A data (non-keepalive) packet was received and authenticated. */
    public void onDataReceived(long now) {
        if (!keepaliveArmed) {
            keepaliveArmed = true;
            keepaliveDeadline = now + KEEPALIVE_TIMEOUT;
        }
    }

    /** Any authenticated packet was sent (data, keepalive or handshake). */
    public void onAuthenticatedPacketSent(long now) {
        keepaliveArmed = false;
    }

    /** Any authenticated packet was received (data, keepalive or handshake). */
    public void onAuthenticatedPacketReceived(long now) {
        newHandshakeArmed = false;
    }

    /** Any authenticated packet went either way (for the persistent keepalive). */
    public void onAuthenticatedPacketTraversal(long now) {
        traversed = true;
        lastTraversal = now;
    }

    /** A handshake initiation was sent (first or retransmitted). */
    public void onHandshakeInitiated(long now) {
        if (!handshakeInProgress) {
            handshakeInProgress = true;
            retransmits = 0;
        }
        anyInitiationSent = true;
        lastInitiationSent = now;
        retransmitArmed = true;
        retransmitDeadline = now + REKEY_TIMEOUT + jitter();
    }

    /** The handshake completed (initiator got the response, or responder got the first data). */
    public void onHandshakeComplete(long now) {
        handshakeInProgress = false;
        retransmitArmed = false;
        retransmits = 0;
        lastMinuteHandshakeSent = false;
    }

    /** A new keypair was derived (either role). */
    public void onSessionDerived(long now) {
        zeroKeysArmed = true;
        zeroKeysDeadline = now + ZERO_KEYS_AFTER;
    }

    public boolean handshakeInProgress() {
        return handshakeInProgress;
    }

    /** WireGuard rate-limits initiations to one per REKEY_TIMEOUT. */
    public boolean initiationAllowed(long now) {
        return !anyInitiationSent || now - lastInitiationSent >= REKEY_TIMEOUT;
    }

    /**
     * Before sending: a handshake is needed if there is no usable keypair or the current one wants
     * a rekey ({@link Keypair#needsRekey}), and no initiation went out in the last REKEY_TIMEOUT.
     */
    public boolean shouldInitiateOnSend(long now, Keypair current) {
        boolean want = current == null || !current.canSend(now) || current.needsRekey(now);
        return want && initiationAllowed(now);
    }

    /**
     * After receiving: an initiator whose keypair is near REJECT_AFTER_TIME starts one handshake
     * ({@link Keypair#needsRekeyOnReceive}); true at most once until a handshake completes.
     */
    public boolean shouldInitiateOnReceive(long now, Keypair current) {
        if (current != null && !lastMinuteHandshakeSent && current.needsRekeyOnReceive(now)
                && initiationAllowed(now)) {
            lastMinuteHandshakeSent = true;
            return true;
        }
        return false;
    }

    /**
     * What is due at {@code now}, as a bit set of the constants above. Each fired timer is
     * disarmed, so a second poll at the same time returns nothing new.
     */
    public int poll(long now) {
        int due = 0;
        if (keepaliveArmed && now - keepaliveDeadline >= 0) {
            keepaliveArmed = false;
            due |= SEND_KEEPALIVE;
        }
        if (newHandshakeArmed && now - newHandshakeDeadline >= 0) {
            newHandshakeArmed = false;
            due |= INITIATE_HANDSHAKE;
        }
        if (handshakeInProgress && retransmitArmed && now - retransmitDeadline >= 0) {
            retransmitArmed = false; // until onHandshakeInitiated re-arms it
            if (retransmits >= MAX_HANDSHAKE_RETRANSMITS) {
                handshakeInProgress = false;
                retransmits = 0;
                due |= HANDSHAKE_GAVE_UP;
                if (!zeroKeysArmed) {
                    zeroKeysArmed = true;
                    zeroKeysDeadline = now + ZERO_KEYS_AFTER;
                }
            } else {
                retransmits++;
                due |= RETRANSMIT_HANDSHAKE;
            }
        }
        if (zeroKeysArmed && now - zeroKeysDeadline >= 0) {
            zeroKeysArmed = false;
            due |= ZERO_KEYS;
        }
        if (persistentKeepaliveInterval > 0 && traversed && now - lastTraversal >= persistentKeepaliveInterval) {
            lastTraversal = now;
            due |= PERSISTENT_KEEPALIVE;
        }
        return due;
    }
}
