package io.xdpmesh.crypto.transport;

import static io.xdpmesh.crypto.transport.WireGuardConstants.REJECT_AFTER_MESSAGES;
import static io.xdpmesh.crypto.transport.WireGuardConstants.REJECT_AFTER_TIME;
import static io.xdpmesh.crypto.transport.WireGuardConstants.REKEY_AFTER_MESSAGES;
import static io.xdpmesh.crypto.transport.WireGuardConstants.REKEY_AFTER_TIME;
import static io.xdpmesh.crypto.transport.WireGuardConstants.REKEY_ON_RECEIVE_AFTER_TIME;

import io.xdpmesh.crypto.aead.PacketAead;
import io.xdpmesh.crypto.aead.PacketMac;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * One WireGuard session keypair: a sending and a receiving cipher, the two receiver indexes, the
 * creation time, the send counter and the replay window.
 *
 * <p>Threads: several threads may seal with one keypair at once as far as the send counter goes
 * (a compare-and-set hands each nonce out exactly once); the ciphers keep per-packet scratch state
 * and the replay window is single-threaded, so opening belongs to one thread, and so does each
 * {@link PacketAead} instance. The control plane only reads the counter for its rekey decisions. It
 * may {@link #invalidate()} a keypair at any time; the dataplane then stops using it.
 * {@link #close()} wipes the keys and must only run once no dataplane thread can still hold the
 * keypair (after it has left every {@link PeerKeypairs} and {@link ReceiverIndexTable}, and the
 * dataplane has passed a quiescent point).
 */
public final class Keypair implements AutoCloseable {
    private static final VarHandle SEND_COUNTER;

    static {
        try {
            SEND_COUNTER = MethodHandles.lookup().findVarHandle(Keypair.class, "sendCounter", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final PacketAead sender;
    private final PacketAead receiver;
    private final PacketMac sendMac;
    private final PacketMac receiveMac;
    private final int localIndex;
    private final int remoteIndex;
    private final boolean initiator;
    private final long createdNanos;
    private final ReplayWindow replay = new ReplayWindow();

    @SuppressWarnings("unused") // through SEND_COUNTER
    private long sendCounter;
    private volatile boolean invalidated;
    /** Set by PeerKeypairs before the keypair is published; read by the receiving thread. */
    private volatile PeerKeypairs owner;

    /**
     * @param sender       cipher keyed with this side's sending key (the keypair owns it from now on)
     * @param receiver     cipher keyed with this side's receiving key (owned from now on)
     * @param localIndex   the index the peer puts in messages to us (our receiver index)
     * @param remoteIndex  the index we put in messages to the peer
     * @param initiator    whether this side initiated the handshake that made the keypair
     * @param createdNanos creation time on the caller's {@link NanoClock}
     */
    public Keypair(PacketAead sender, PacketAead receiver, int localIndex, int remoteIndex,
                   boolean initiator, long createdNanos) {
        this(sender, receiver, null, null, localIndex, remoteIndex, initiator, createdNanos);
    }

    /**
     * A keypair that can also authenticate without encrypting (the {@code auth} verdict):
     * {@code sendMac} and {@code receiveMac} are keyed with the same directional keys as the
     * ciphers (owned from now on; null when the keypair never carries authenticated messages).
     */
    public Keypair(PacketAead sender, PacketAead receiver, PacketMac sendMac, PacketMac receiveMac,
                   int localIndex, int remoteIndex, boolean initiator, long createdNanos) {
        this.sender = Objects.requireNonNull(sender, "sender");
        this.receiver = Objects.requireNonNull(receiver, "receiver");
        this.sendMac = sendMac;
        this.receiveMac = receiveMac;
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
        this.initiator = initiator;
        this.createdNanos = createdNanos;
    }

    public Keypair(PacketAead sender, PacketAead receiver, int localIndex, int remoteIndex,
                   boolean initiator, NanoClock clock) {
        this(sender, receiver, localIndex, remoteIndex, initiator, clock.nanoTime());
    }

    public int localIndex() { return localIndex; }
    public int remoteIndex() { return remoteIndex; }
    public boolean isInitiator() { return initiator; }
    public long createdNanos() { return createdNanos; }
    public PacketAead sender() { return sender; }
    public PacketAead receiver() { return receiver; }
    /** Null when the keypair was built without MAC keys. */
    public PacketMac sendMac() { return sendMac; }
    public PacketMac receiveMac() { return receiveMac; }
    /** The replay window; only the receiving thread may touch it. */
    public ReplayWindow replayWindow() { return replay; }
    public PeerKeypairs owner() { return owner; }

    void owner(PeerKeypairs peer) {
        this.owner = peer;
    }

    /**
     * Hands out the next send counter, or -1 (which is above every valid counter) once
     * REJECT_AFTER_MESSAGES is reached. Any thread: a compare-and-set loop (no lock, no allocation),
     * so two threads sealing with this keypair never get the same counter (the nonce), and the
     * counter never moves past the limit (where it would wrap to valid values again).
     */
    public long nextSendCounter() {
        while (true) {
            long c = (long) SEND_COUNTER.getVolatile(this);
            if (Long.compareUnsigned(c, REJECT_AFTER_MESSAGES) >= 0) {
                return -1;
            }
            if (SEND_COUNTER.compareAndSet(this, c, c + 1)) {
                return c;
            }
        }
    }

    /** Number of counters handed out so far (unsigned); any thread. */
    public long sendCounter() {
        return (long) SEND_COUNTER.getAcquire(this);
    }

    /** For tests and for restoring state: sets the next counter to hand out. Sending thread only. */
    public void sendCounter(long next) {
        SEND_COUNTER.setRelease(this, next);
    }

    public long age(long now) {
        return now - createdNanos;
    }

    /** The control plane retires the keypair: the dataplane neither sends nor accepts with it again. */
    public void invalidate() {
        invalidated = true;
    }

    public boolean isInvalidated() {
        return invalidated;
    }

    /** Past REJECT_AFTER_TIME (or invalidated): nothing is sent or accepted with it any more. */
    public boolean isExpired(long now) {
        return invalidated || age(now) >= REJECT_AFTER_TIME;
    }

    /** Sending is allowed: not expired and the counter is below REJECT_AFTER_MESSAGES. */
    public boolean canSend(long now) {
        return !isExpired(now) && Long.compareUnsigned(sendCounter(), REJECT_AFTER_MESSAGES) < 0;
    }

    /** Receiving is allowed: not expired and the replay window has not reached the counter limit. */
    public boolean canReceive(long now) {
        return !isExpired(now) && Long.compareUnsigned(replay.highest(), REJECT_AFTER_MESSAGES) < 0;
    }

    /**
     * WireGuard's keep-key-fresh rule on send: more than REKEY_AFTER_MESSAGES sent, or the
     * initiator's keypair is REKEY_AFTER_TIME old. (Only the initiator rekeys on time, so both
     * sides do not start a handshake at once.)
     */
    public boolean needsRekey(long now) {
        return Long.compareUnsigned(sendCounter(), REKEY_AFTER_MESSAGES) > 0
                || (initiator && age(now) >= REKEY_AFTER_TIME);
    }

    /**
     * WireGuard's keep-key-fresh rule on receive: an initiator whose keypair is within
     * KEEPALIVE_TIMEOUT + REKEY_TIMEOUT of REJECT_AFTER_TIME starts a handshake, so a peer that
     * only receives still gets fresh keys before the old ones die.
     */
    public boolean needsRekeyOnReceive(long now) {
        return initiator && age(now) >= REKEY_ON_RECEIVE_AFTER_TIME;
    }

    @Override
    public void close() {
        invalidated = true;
        sender.close();
        receiver.close();
        if (sendMac != null) {
            sendMac.close();
        }
        if (receiveMac != null) {
            receiveMac.close();
        }
    }

    @Override
    public String toString() {
        return "Keypair[local=" + Integer.toUnsignedString(localIndex) + ", remote="
                + Integer.toUnsignedString(remoteIndex) + ", initiator=" + initiator + "]";
    }
}
