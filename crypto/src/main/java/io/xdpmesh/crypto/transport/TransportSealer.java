package io.xdpmesh.crypto.transport;

import static io.xdpmesh.crypto.transport.TransportData.HEADER_BYTES;
import static io.xdpmesh.crypto.transport.TransportData.OVERHEAD;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Seals transport-data messages in place. One instance per sending thread; it counts refusals by
 * {@link SealStatus} (index 0 counts messages sealed). Allocation-free and lock-free.
 */
public final class TransportSealer {
    private final StatusCounters counters = new StatusCounters(SealStatus.NAMES);
    /** The keypair lane this sealer's thread uses: its own cipher and counter stream. */
    private final int lane;

    public TransportSealer() {
        this(0);
    }

    /** A sealer for the thread that seals on {@code lane} (see {@link Keypair}). */
    public TransportSealer(int lane) {
        if (lane < 0 || lane >= Keypair.MAX_LANES) {
            throw new IllegalArgumentException("lane " + lane);
        }
        this.lane = lane;
    }

    public int lane() {
        return lane;
    }

    public StatusCounters counters() {
        return counters;
    }

    /**
     * Seals the inner packet of {@code innerLen} bytes that the caller placed at
     * {@code off + }{@link TransportData#PAYLOAD_OFFSET}: zero-pads it (to a multiple of 16, capped
     * at {@code mtu}; {@code mtu <= 0} means no cap), encrypts it in place, appends the tag and
     * writes the header at {@code off}, addressed to {@code kp}'s remote index with the keypair's
     * next counter.
     *
     * @return the length of the message starting at {@code off}, or a negated {@link SealStatus}
     */
    public int seal(Keypair kp, MemorySegment seg, long off, int innerLen, int mtu, long now) {
        if (kp == null || !kp.canSend(now) || lane >= kp.sendLanes()) {
            return refuse(SealStatus.NO_VALID_KEYPAIR);
        }
        int padded = TransportData.paddedLength(innerLen, mtu);
        if (off < 0 || seg.byteSize() - off < (long) OVERHEAD + padded) {
            return refuse(SealStatus.NO_ROOM);
        }
        long counter = kp.nextSendCounter(lane);
        if (counter == -1) {
            return refuse(SealStatus.COUNTER_EXHAUSTED);
        }
        long payload = off + HEADER_BYTES;
        // Zero padding (0-15 bytes) with two fixed 8-byte stores and no loop: what spills past the
        // padding lands in the tag's place, which the seal below overwrites, and the room check
        // above covers it. A byte loop here had its C2 loop predicates fail at the first real
        // packets (sizes and offsets the warm-up had not shown), recompiling the inlined cipher.
        long pad = payload + innerLen;
        seg.set(ValueLayout.JAVA_LONG_UNALIGNED, pad, 0L);
        seg.set(ValueLayout.JAVA_LONG_UNALIGNED, pad + 8, 0L);
        kp.sender(lane).seal(seg, payload, padded, counter);
        TransportData.writeHeader(seg, off, kp.remoteIndex(), counter);
        counters.increment(0);
        return OVERHEAD + padded;
    }

    /**
     * Authenticates without encrypting (the {@code auth} verdict): the inner packet of
     * {@code innerLen} bytes at {@code off + }{@link TransportData#PAYLOAD_OFFSET} stays in the
     * clear and unpadded, the header (type {@link TransportData#AUTHENTICATED_TYPE}) is written at
     * {@code off} and the tag over header and packet follows the packet.
     *
     * @return the length of the message starting at {@code off}, or a negated {@link SealStatus}
     */
    public int authenticate(Keypair kp, MemorySegment seg, long off, int innerLen, long now) {
        if (kp == null || !kp.canSend(now) || lane >= kp.sendLanes()) {
            return refuse(SealStatus.NO_VALID_KEYPAIR);
        }
        if (kp.sendMac(lane) == null) {
            return refuse(SealStatus.NO_MAC_KEY);
        }
        if (innerLen < 0 || off < 0 || seg.byteSize() - off < (long) OVERHEAD + innerLen) {
            return refuse(SealStatus.NO_ROOM);
        }
        long counter = kp.nextSendCounter(lane);
        if (counter == -1) {
            return refuse(SealStatus.COUNTER_EXHAUSTED);
        }
        TransportData.writeHeader(seg, off, TransportData.AUTHENTICATED_TYPE, kp.remoteIndex(), counter);
        kp.sendMac(lane).sign(seg, off, HEADER_BYTES + innerLen, counter);
        counters.increment(0);
        return OVERHEAD + innerLen;
    }

    /** Seals a keepalive (empty payload, 32 bytes) at {@code off}. */
    public int sealKeepalive(Keypair kp, MemorySegment seg, long off, long now) {
        return seal(kp, seg, off, 0, 0, now);
    }

    private int refuse(int status) {
        counters.increment(status);
        return -status;
    }
}
