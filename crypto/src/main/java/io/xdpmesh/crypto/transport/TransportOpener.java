package io.xdpmesh.crypto.transport;

import static io.xdpmesh.crypto.transport.TransportData.OVERHEAD;
import static io.xdpmesh.crypto.transport.TransportData.PAYLOAD_OFFSET;
import static io.xdpmesh.crypto.transport.WireGuardConstants.REJECT_AFTER_MESSAGES;

import io.xdpmesh.crypto.aead.PacketAead;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Opens transport-data messages in place. One instance per receiving thread; every reject is
 * counted by {@link OpenStatus} (index 0 counts data packets accepted). Allocation-free, lock-free,
 * throws nothing for any message content.
 *
 * <p>Order of checks, as WireGuard's: header, keypair usable, counter limit, replay (a cheap
 * read-only check first, so a replay costs no decryption), authentication, then the replay window
 * is updated (only authentic packets move it), the peer's next keypair is confirmed if this is
 * its first packet, and the inner packet's length is read from its IP header.
 */
public final class TransportOpener {
    private final StatusCounters counters = new StatusCounters(OpenStatus.NAMES);
    private long keepalives;
    /** The receiving thread's number: the receive windows it claims are its alone. */
    private final int thread;

    public TransportOpener() {
        this(0);
    }

    /**
     * An opener for dataplane thread {@code thread} (0 and up). Openers with the same number must
     * run on one thread at a time.
     */
    public TransportOpener(int thread) {
        if (thread < 0) {
            throw new IllegalArgumentException("thread " + thread);
        }
        this.thread = thread;
    }

    public StatusCounters counters() {
        return counters;
    }

    /** Authentic keepalives received (they are not counted under index 0). */
    public long keepalives() {
        return keepalives;
    }

    /**
     * Opens the {@code len}-byte message at {@code off} with {@code kp}, which the caller looked up
     * by {@link TransportData#receiverIndex} (null if none).
     *
     * @return the inner packet's length (0 for a keepalive), the packet now plaintext at
     *     {@code off + }{@link TransportData#PAYLOAD_OFFSET}; or a negated {@link OpenStatus}
     * @throws IndexOutOfBoundsException only if the region itself lies outside {@code seg}
     *     (a caller bug, never the message's fault)
     */
    public int open(Keypair kp, MemorySegment seg, long off, int len, long now) {
        return open(kp, seg, off, len, now, false);
    }

    /**
     * Opens an authenticated message (type {@link TransportData#AUTHENTICATED_TYPE}, the
     * {@code auth} verdict): verifies the tag over header and clear inner packet. Same checks and
     * results as {@link #open}; a type-4 message is rejected here ({@link OpenStatus#BAD_TYPE}), as
     * an authenticated one is by {@link #open}: the caller decides from policy which one a pair
     * may use, so a pair that must be encrypted never accepts clear text.
     */
    public int openAuthenticated(Keypair kp, MemorySegment seg, long off, int len, long now) {
        return open(kp, seg, off, len, now, true);
    }

    private int open(Keypair kp, MemorySegment seg, long off, int len, long now, boolean clear) {
        Objects.checkFromIndexSize(off, len, seg.byteSize());
        if (len < OVERHEAD) {
            return reject(OpenStatus.TOO_SHORT);
        }
        if (TransportData.typeWord(seg, off) != (clear ? TransportData.AUTHENTICATED_TYPE : TransportData.MESSAGE_TYPE)) {
            return reject(OpenStatus.BAD_TYPE);
        }
        if (kp == null || TransportData.receiverIndex(seg, off) != kp.localIndex()) {
            return reject(OpenStatus.UNKNOWN_INDEX);
        }
        if (kp.isExpired(now)) {
            return reject(OpenStatus.KEYPAIR_EXPIRED);
        }
        PacketAead cipher = kp.receiver(thread);
        if (cipher == null) {
            return reject(OpenStatus.WRONG_THREAD); // a split keypair built for fewer threads
        }
        if (clear && kp.receiveMac(thread) == null) {
            return reject(OpenStatus.NO_MAC_KEY);
        }
        long counter = TransportData.counter(seg, off);
        if (Long.compareUnsigned(counter, REJECT_AFTER_MESSAGES) >= 0) {
            return reject(OpenStatus.COUNTER_LIMIT);
        }
        // The counter's window is single-threaded: its owner checks and updates it; a window nobody
        // owns was never written (only an owner writes), so it accepts everything below the limit.
        int w = kp.windowOf(counter);
        long sub = kp.windowCounter(counter);
        int owner = kp.windowOwner(w);
        if (owner != thread && owner != Keypair.NO_OWNER) {
            return reject(OpenStatus.WRONG_THREAD);
        }
        ReplayWindow window = kp.replayWindow(w);
        if (owner == thread && !window.wouldAccept(sub, REJECT_AFTER_MESSAGES)) {
            return reject(OpenStatus.REPLAY);
        }
        int body = len - OVERHEAD;
        long payload = off + PAYLOAD_OFFSET;
        boolean authentic = clear
                ? kp.receiveMac(thread).verify(seg, off, PAYLOAD_OFFSET + body, counter)
                : cipher.open(seg, payload, body, counter);
        if (!authentic) {
            return reject(OpenStatus.AUTH_FAILED);
        }
        // claimed only once authentic: forged messages cannot steer a window to another thread
        if (owner != thread && !kp.claimWindow(w, thread)) {
            return reject(OpenStatus.WRONG_THREAD);
        }
        if (!window.validate(sub, REJECT_AFTER_MESSAGES)) {
            return reject(OpenStatus.REPLAY);
        }
        for (PeerKeypairs peer : kp.owners()) {
            peer.confirm(kp);
        }
        if (body == 0) {
            keepalives++;
            return 0;
        }
        int inner = InnerPacket.length(seg, payload, body);
        if (inner < 0) {
            return reject(OpenStatus.BAD_INNER_PACKET);
        }
        // Authenticated messages carry the packet unpadded; sealed ones use WireGuard's padding.
        if (clear ? inner != body : !TransportData.paddingConsistent(inner, body)) {
            return reject(OpenStatus.NOT_ALIGNED);
        }
        counters.increment(0);
        return inner;
    }

    private int reject(int status) {
        counters.increment(status);
        return -status;
    }
}
