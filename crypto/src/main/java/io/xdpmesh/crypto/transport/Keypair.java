package io.xdpmesh.crypto.transport;

import static io.xdpmesh.crypto.transport.WireGuardConstants.REJECT_AFTER_MESSAGES;
import static io.xdpmesh.crypto.transport.WireGuardConstants.REJECT_AFTER_TIME;
import static io.xdpmesh.crypto.transport.WireGuardConstants.REKEY_AFTER_MESSAGES;
import static io.xdpmesh.crypto.transport.WireGuardConstants.REKEY_AFTER_TIME;
import static io.xdpmesh.crypto.transport.WireGuardConstants.REKEY_ON_RECEIVE_AFTER_TIME;

import io.xdpmesh.crypto.aead.PacketAead;
import io.xdpmesh.crypto.aead.PacketMac;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

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
 *
 * <p>Lanes (several dataplane threads, see {@link #MAX_LANES}): a keypair built with {@code L > 1}
 * send lanes holds one sending cipher (and MAC) per lane, so threads never share cipher scratch
 * state, and lane {@code l} hands out the counters {@code l, l + 8, l + 16, ...} from its own
 * stream: the streams are disjoint, so no nonce is used twice. A keypair built with {@code R > 1}
 * receive windows ({@link #MAX_LANES} of them) splits the counter space the same way: counter
 * {@code c} is checked in window {@code c mod 8} as sub-counter {@code c / 8}. Since
 * {@code c -> (c mod 8, c / 8)} is a bijection and each window accepts a sub-counter at most once,
 * every counter is still accepted at most once in total. Each window is single-threaded: the first
 * thread that opens an authentic message in it claims it ({@link #claimWindow}), and messages of
 * that window reaching another thread are refused ({@link OpenStatus#WRONG_THREAD}). With one lane
 * and one window (the plain constructors) everything is exactly WireGuard's: sequential counters,
 * one 8192-bit window.
 */
public final class Keypair implements AutoCloseable {
    /** Counter streams and receive windows a keypair can be split into (the counter stride). */
    public static final int MAX_LANES = 8;
    /** Owner of a receive window nobody has claimed yet. */
    public static final int NO_OWNER = -1;
    /** Lane counters sit 16 longs (128 bytes) apart: threads sealing on two lanes share no cache line. */
    private static final int PAD = 16;

    private final PacketAead sender;
    private final PacketAead receiver;
    private final PacketMac sendMac;
    private final PacketMac receiveMac;
    private final PacketAead[] senders;
    private final PacketMac[] sendMacs;
    private final PacketAead[] receivers;
    private final PacketMac[] receiveMacs;
    private final int localIndex;
    private final int remoteIndex;
    private final boolean initiator;
    private final long createdNanos;
    private final ReplayWindow replay;
    private final ReplayWindow[] windows;
    private final int windowShift;
    private final AtomicIntegerArray windowOwner;
    /** Per lane, the next value of k in counter = k * stride + lane. */
    private final AtomicLongArray laneNext;
    private final long[] laneLimit;
    private final int stride;
    /** Dataplane threads that still hold the keypair ({@link #share}, {@link #release}). */
    private final AtomicInteger holders = new AtomicInteger(1);
    private volatile boolean invalidated;
    // Set once some lane has handed out its last counter: canSend reads this one flag per packet
    // instead of every lane's counter (each written by another thread: a cache miss per lane).
    private volatile boolean exhausted;
    /**
     * Set by PeerKeypairs before the keypair is published; read by the receiving thread. Several
     * when several dataplane threads each index the keypair in their own session.
     */
    private volatile PeerKeypairs[] owners = new PeerKeypairs[0];

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
        this(new PacketAead[] {sender}, new PacketAead[] {receiver}, new PacketMac[] {sendMac},
                new PacketMac[] {receiveMac}, 1, localIndex, remoteIndex, initiator, createdNanos);
    }

    /**
     * A keypair for several dataplane threads: {@code senders[l]} (and {@code sendMacs[l]}, entries
     * may be null) seal on lane {@code l}, all keyed with the same sending key, and
     * {@code receivers[t]} ({@code receiveMacs[t]}) open on thread {@code t}, keyed with the receiving
     * key (all owned from now on); {@code receiveWindows} is 1 (WireGuard's single window: one
     * receiving thread) or {@link #MAX_LANES} (see the class comment).
     */
    public Keypair(PacketAead[] senders, PacketAead[] receivers, PacketMac[] sendMacs, PacketMac[] receiveMacs,
                   int receiveWindows, int localIndex, int remoteIndex, boolean initiator, long createdNanos) {
        if (senders.length < 1 || senders.length > MAX_LANES || sendMacs.length != senders.length) {
            throw new IllegalArgumentException("1.." + MAX_LANES + " send lanes, one MAC slot each");
        }
        if (receivers.length < 1 || receivers.length > MAX_LANES || receiveMacs.length != receivers.length) {
            throw new IllegalArgumentException("1.." + MAX_LANES + " receiving ciphers, one MAC slot each");
        }
        for (PacketAead a : receivers) {
            Objects.requireNonNull(a, "receiver");
        }
        this.receivers = receivers.clone();
        this.receiveMacs = receiveMacs.clone();
        if (receiveWindows != 1 && receiveWindows != MAX_LANES) {
            throw new IllegalArgumentException("receive windows: 1 or " + MAX_LANES);
        }
        for (PacketAead a : senders) {
            Objects.requireNonNull(a, "sender");
        }
        this.senders = senders.clone();
        this.sendMacs = sendMacs.clone();
        this.sender = senders[0];
        this.sendMac = sendMacs[0];
        this.receiver = receivers[0];
        this.receiveMac = receiveMacs[0];
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
        this.initiator = initiator;
        this.createdNanos = createdNanos;
        this.windows = new ReplayWindow[receiveWindows];
        for (int i = 0; i < receiveWindows; i++) {
            windows[i] = new ReplayWindow();
        }
        this.replay = windows[0];
        this.windowShift = Integer.numberOfTrailingZeros(receiveWindows);
        this.windowOwner = new AtomicIntegerArray(receiveWindows);
        for (int i = 0; i < receiveWindows; i++) {
            windowOwner.set(i, NO_OWNER);
        }
        this.stride = senders.length == 1 ? 1 : MAX_LANES;
        this.laneNext = new AtomicLongArray(senders.length * PAD);
        this.laneLimit = new long[senders.length];
        for (int l = 0; l < senders.length; l++) {
            // the largest k with k * stride + l <= REJECT_AFTER_MESSAGES - 1
            laneLimit[l] = Long.divideUnsigned(REJECT_AFTER_MESSAGES - 1 - l, stride);
        }
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
    /** Lane {@code lane}'s sending cipher (lane 0 is {@link #sender()}). */
    public PacketAead sender(int lane) { return senders[lane]; }
    public PacketMac sendMac(int lane) { return sendMacs[lane]; }
    /**
     * Thread {@code thread}'s receiving cipher: its own when the keypair has one per thread; the one
     * cipher otherwise (only valid with one receive window, which only one thread can own); null
     * when a split keypair has none for the thread.
     */
    public PacketAead receiver(int thread) {
        return receivers.length == 1 && windows.length == 1 ? receiver
                : thread < receivers.length ? receivers[thread] : null;
    }

    public PacketMac receiveMac(int thread) {
        return receivers.length == 1 && windows.length == 1 ? receiveMac
                : thread < receiveMacs.length ? receiveMacs[thread] : null;
    }

    /** Send lanes (sending ciphers) this keypair was built with. */
    public int sendLanes() { return senders.length; }
    /** Receive windows: 1, or {@link #MAX_LANES} when the counter space is split. */
    public int receiveWindows() { return windows.length; }
    /** The window that checks {@code counter}. */
    public int windowOf(long counter) { return (int) counter & (windows.length - 1); }
    /** {@code counter} as its window's sub-counter. */
    public long windowCounter(long counter) { return counter >>> windowShift; }
    /** Window {@code w}; only its owner thread may touch it. */
    public ReplayWindow replayWindow(int w) { return windows[w]; }
    /** The thread that owns window {@code w}, or {@link #NO_OWNER}. */
    public int windowOwner(int w) { return windowOwner.get(w); }

    /**
     * Claims window {@code w} for {@code thread} if nobody owns it yet; true when {@code thread}
     * owns it afterwards. Call only after a message of that window authenticated, so forged
     * traffic can never steer a window to the wrong thread.
     */
    public boolean claimWindow(int w, int thread) {
        return windowOwner.compareAndSet(w, NO_OWNER, thread) || windowOwner.get(w) == thread;
    }
    public PacketAead receiver() { return receiver; }
    /** Null when the keypair was built without MAC keys. */
    public PacketMac sendMac() { return sendMac; }
    public PacketMac receiveMac() { return receiveMac; }
    /** The (first) replay window; only the receiving thread may touch it. */
    public ReplayWindow replayWindow() { return replay; }
    public PeerKeypairs owner() {
        PeerKeypairs[] o = owners;
        return o.length == 0 ? null : o[0];
    }

    /** Every PeerKeypairs the keypair was installed in (a confirmation promotes it in all). */
    public PeerKeypairs[] owners() {
        return owners;
    }

    synchronized void owner(PeerKeypairs peer) {
        PeerKeypairs[] o = owners;
        for (PeerKeypairs p : o) {
            if (p == peer) {
                return;
            }
        }
        PeerKeypairs[] n = java.util.Arrays.copyOf(o, o.length + 1);
        n[o.length] = peer;
        owners = n;
    }

    /**
     * Hands out the next send counter, or -1 (which is above every valid counter) once
     * REJECT_AFTER_MESSAGES is reached. Any thread: a compare-and-set loop (no lock, no allocation),
     * so two threads sealing with this keypair never get the same counter (the nonce), and the
     * counter never moves past the limit (where it would wrap to valid values again).
     */
    public long nextSendCounter() {
        return nextSendCounter(0);
    }

    /** {@link #nextSendCounter()} from lane {@code lane}'s stream (k * 8 + lane with several lanes). */
    public long nextSendCounter(int lane) {
        int i = lane * PAD;
        long limit = laneLimit[lane];
        while (true) {
            long k = laneNext.get(i);
            if (Long.compareUnsigned(k, limit) > 0) {
                exhausted = true;
                return -1;
            }
            if (laneNext.compareAndSet(i, k, k + 1)) {
                if (k == limit) {
                    exhausted = true;
                }
                return k * stride + lane;
            }
        }
    }

    /**
     * The next counter to hand out (unsigned): with several lanes, the highest next counter of any
     * lane (what the limits are checked against); any thread.
     */
    public long sendCounter() {
        if (stride == 1) {
            return laneNext.get(0);
        }
        long max = 0;
        for (int l = 0; l < senders.length; l++) {
            long c = laneNext.get(l * PAD) * stride + l;
            if (Long.compareUnsigned(c, max) > 0) {
                max = c;
            }
        }
        return max;
    }

    /** For tests and for restoring state: every lane's next counter becomes at least {@code next}. */
    public void sendCounter(long next) {
        for (int l = 0; l < senders.length; l++) {
            long k = stride == 1 ? next
                    : Long.compareUnsigned(next, l) <= 0 ? 0 : Long.divideUnsigned(next - l + stride - 1, stride);
            laneNext.set(l * PAD, k);
        }
        exhausted = Long.compareUnsigned(sendCounter(), REJECT_AFTER_MESSAGES) >= 0;
    }

    /** The keypair is held by {@code n} dataplane threads: {@link #release} closes it at the last. */
    public Keypair share(int n) {
        holders.set(n);
        return this;
    }

    /** One holder lets go; the last one closes (wipes) the keypair. */
    public void release() {
        if (holders.decrementAndGet() == 0) {
            close();
        }
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
        return !isExpired(now) && !exhausted;
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
        for (PacketAead a : senders) {
            a.close();
        }
        for (PacketAead a : receivers) {
            a.close();
        }
        for (PacketMac m : sendMacs) {
            if (m != null) {
                m.close();
            }
        }
        for (PacketMac m : receiveMacs) {
            if (m != null) {
                m.close();
            }
        }
    }

    @Override
    public String toString() {
        return "Keypair[local=" + Integer.toUnsignedString(localIndex) + ", remote="
                + Integer.toUnsignedString(remoteIndex) + ", initiator=" + initiator + "]";
    }
}
