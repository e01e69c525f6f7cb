package io.xdpmesh.crypto.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The current, previous and next keypairs of one peer, rotated the way WireGuard rotates them, so
 * that a rekey loses no packet:
 * <ul>
 *   <li>an initiator's new keypair becomes current at once (it has seen the response, so the peer
 *       has the keys); the old current becomes previous and keeps receiving stragglers;</li>
 *   <li>a responder's new keypair waits in next until the first packet received with it confirms
 *       that the initiator has it too; then next becomes current and current becomes previous.</li>
 * </ul>
 *
 * <p>Threads: the dataplane reads ({@link #current()} etc.) with one volatile read of an immutable
 * snapshot, and confirms a next keypair with one compare-and-set to a snapshot precomputed by the
 * control plane, so the dataplane never locks nor allocates. The control plane installs and
 * clears; it gets back the keypairs that fell out, which it must remove from the
 * {@link ReceiverIndexTable}, {@link Keypair#invalidate() invalidate} and later close.
 */
public final class PeerKeypairs {
    /** An immutable view; {@code promoted} is what it becomes when next is confirmed. */
    private static final class Slots {
        final Keypair current;
        final Keypair previous;
        final Keypair next;
        final Slots promoted;

        Slots(Keypair current, Keypair previous, Keypair next) {
            this.current = current;
            this.previous = previous;
            this.next = next;
            this.promoted = next == null ? null : new Slots(next, current, null);
        }
    }

    private static final Slots EMPTY = new Slots(null, null, null);
    private static final VarHandle SLOTS;

    static {
        try {
            SLOTS = MethodHandles.lookup().findVarHandle(PeerKeypairs.class, "slots", Slots.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile Slots slots = EMPTY;

    /** The keypair to send with, or null; check {@link Keypair#canSend(long)} before sealing. */
    public Keypair current() {
        return slots.current;
    }

    public Keypair previous() {
        return slots.previous;
    }

    public Keypair next() {
        return slots.next;
    }

    /**
     * Called by the receiving thread after a packet opened with {@code kp} was authenticated and
     * passed the replay window: if {@code kp} is the unconfirmed next keypair, it becomes current.
     * Returns whether it did. Allocation-free and lock-free.
     */
    public boolean confirm(Keypair kp) {
        Slots s = slots;
        while (kp != null && s.next == kp) {
            if (SLOTS.compareAndSet(this, s, s.promoted)) {
                return true;
            }
            s = slots;
        }
        return false;
    }

    /**
     * Installs a freshly derived keypair (control plane). Returns the keypairs that are no longer
     * reachable from this peer; they have been invalidated, and the caller removes them from the
     * index table and closes them once the dataplane can no longer hold them.
     */
    public List<Keypair> install(Keypair kp) {
        Objects.requireNonNull(kp, "kp");
        kp.owner(this);
        List<Keypair> evicted = new ArrayList<>(2);
        while (true) {
            Slots s = slots;
            evicted.clear();
            Slots n;
            if (kp.isInitiator()) {
                if (s.next != null) {
                    // The unconfirmed next can still receive; the old current is superseded twice.
                    n = new Slots(kp, s.next, null);
                    addIfPresent(evicted, s.current);
                } else {
                    n = new Slots(kp, s.current, null);
                }
                addIfPresent(evicted, s.previous);
            } else {
                n = new Slots(s.current, null, kp);
                addIfPresent(evicted, s.next);
                addIfPresent(evicted, s.previous);
            }
            if (SLOTS.compareAndSet(this, s, n)) {
                evicted.forEach(Keypair::invalidate);
                return evicted;
            }
        }
    }

    /** Removes every keypair (control plane), e.g. after ZERO_KEYS_AFTER; returns them invalidated. */
    public List<Keypair> clear() {
        Slots s = (Slots) SLOTS.getAndSet(this, EMPTY);
        List<Keypair> evicted = new ArrayList<>(3);
        addIfPresent(evicted, s.current);
        addIfPresent(evicted, s.previous);
        addIfPresent(evicted, s.next);
        evicted.forEach(Keypair::invalidate);
        return evicted;
    }

    private static void addIfPresent(List<Keypair> list, Keypair kp) {
        if (kp != null) {
            list.add(kp);
        }
    }
}
