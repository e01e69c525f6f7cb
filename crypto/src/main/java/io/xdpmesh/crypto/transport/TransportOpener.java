package io.xdpmesh.crypto.transport;

import static io.xdpmesh.crypto.transport.TransportData.OVERHEAD;
import static io.xdpmesh.crypto.transport.TransportData.PAYLOAD_OFFSET;
import static io.xdpmesh.crypto.transport.WireGuardConstants.REJECT_AFTER_MESSAGES;

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
        Objects.checkFromIndexSize(off, len, seg.byteSize());
        if (len < OVERHEAD) {
            return reject(OpenStatus.TOO_SHORT);
        }
        if (TransportData.typeWord(seg, off) != TransportData.MESSAGE_TYPE) {
            return reject(OpenStatus.BAD_TYPE);
        }
        if (kp == null || TransportData.receiverIndex(seg, off) != kp.localIndex()) {
            return reject(OpenStatus.UNKNOWN_INDEX);
        }
        if (kp.isExpired(now)) {
            return reject(OpenStatus.KEYPAIR_EXPIRED);
        }
        long counter = TransportData.counter(seg, off);
        ReplayWindow window = kp.replayWindow();
        if (Long.compareUnsigned(counter, REJECT_AFTER_MESSAGES) >= 0) {
            return reject(OpenStatus.COUNTER_LIMIT);
        }
        if (!window.wouldAccept(counter, REJECT_AFTER_MESSAGES)) {
            return reject(OpenStatus.REPLAY);
        }
        int padded = len - OVERHEAD;
        long payload = off + PAYLOAD_OFFSET;
        if (!kp.receiver().open(seg, payload, padded, counter)) {
            return reject(OpenStatus.AUTH_FAILED);
        }
        if (!window.validate(counter, REJECT_AFTER_MESSAGES)) {
            return reject(OpenStatus.REPLAY);
        }
        PeerKeypairs peer = kp.owner();
        if (peer != null) {
            peer.confirm(kp);
        }
        if (padded == 0) {
            keepalives++;
            return 0;
        }
        int inner = InnerPacket.length(seg, payload, padded);
        if (inner < 0) {
            return reject(OpenStatus.BAD_INNER_PACKET);
        }
        if (!TransportData.paddingConsistent(inner, padded)) {
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
