package io.xdpmesh.dataplane.session;

import io.xdpmesh.crypto.transport.Keypair;
import io.xdpmesh.dataplane.cluster.ClusterConfig;
import java.util.Objects;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * Control plane -> dataplane: what the agent asks one dataplane thread to do. The thread applies
 * commands between batches (never mid-batch), so the hot path never sees a half-made change.
 * Lock-free (Agrona's many-to-one array queue); the control side allocates the command objects,
 * the dataplane side only polls.
 */
public final class DataplaneCommands {
    /** One change. Names, not dense numbers, so a command stays valid across cluster updates. */
    public sealed interface Command permits InstallSession, FailPair, RemoveSession, UpdateCluster {}

    /**
     * Install (or rotate in) a keypair for the pair (local identity on this node, remote identity,
     * remote node). The dataplane takes ownership of kp (it closes it when it falls out).
     * expiresAtEpochMillis: when the authentication ends (earlier leaf NotAfter, capped by rekeying).
     * Held frames of the pair leave in order as soon as it is applied. stamp (may be null) learns
     * when that happened.
     */
    public record InstallSession(String localId, String remoteId, String remoteNode, Keypair keypair,
            long expiresAtEpochMillis, ApplyStamp stamp) implements Command {
        public InstallSession(String localId, String remoteId, String remoteNode, Keypair keypair, long expiresAtEpochMillis) {
            this(localId, remoteId, remoteNode, keypair, expiresAtEpochMillis, null);
        }

        /** Dataplane side: marks the command applied. */
        public void applied(long nanos) {
            if (stamp != null) {
                stamp.applied(nanos);
            }
        }
    }

    /** The handshake for the pair failed or timed out: held frames are dropped under reason. */
    public record FailPair(String localId, String remoteId, String remoteNode, FailReason reason) implements Command {}

    /** Forget the pair's session (expired, workload gone, policy no longer asks for it). */
    public record RemoveSession(String localId, String remoteId, String remoteNode) implements Command {}

    /** New endpoints and policy; the flow cache is invalidated, sessions renumbered by name. */
    public record UpdateCluster(ClusterConfig config) implements Command {}

    private final ManyToOneConcurrentArrayQueue<Command> queue;
    /** Wakes the dataplane thread on every offer, so an idle (backoff) thread applies it at once. */
    private volatile Runnable wakeup;

    /** Fan-out mode: the queues of the dataplane threads every command goes to (null: one thread). */
    private final DataplaneCommands[] lanes;
    private static final long FAN_OUT_WAIT_NS = 1_000_000_000L;

    public DataplaneCommands(int capacity) {
        queue = new ManyToOneConcurrentArrayQueue<>(capacity);
        lanes = null;
    }

    /**
     * The agent's side of several dataplane threads: every command reaches every thread's own
     * queue (each applies it between its own batches, wakes on its own). An installed keypair is
     * shared by all of them and closed by the last one that lets go ({@link Keypair#share}).
     */
    public DataplaneCommands(DataplaneCommands[] threads) {
        queue = null;
        lanes = threads.clone();
    }

    /**
     * Any thread; false when the queue is full (try again). Wakes the dataplane thread: with the
     * backoff idle strategy it may otherwise sleep out its wait before applying this, and an
     * install is what held first packets wait for.
     */
    public boolean offer(Command c) {
        if (lanes != null) {
            return fanOut(Objects.requireNonNull(c, "command"));
        }
        boolean ok = queue.offer(Objects.requireNonNull(c, "command"));
        Runnable w = wakeup;
        if (ok && w != null) {
            w.run();
        }
        return ok;
    }

    /**
     * All threads or none, as far as the caller can tell: false (nothing queued) when some thread's
     * queue has no room; once the first thread has it, the others are waited for (their queues are
     * drained every duty cycle), and a thread that takes none within 1 s gets its share released.
     */
    private boolean fanOut(Command c) {
        for (DataplaneCommands l : lanes) {
            if (l.queue.remainingCapacity() == 0) {
                return false;
            }
        }
        if (c instanceof InstallSession i) {
            i.keypair().share(lanes.length);
        }
        for (DataplaneCommands l : lanes) {
            long end = System.nanoTime() + FAN_OUT_WAIT_NS;
            while (!l.offer(c)) {
                if (System.nanoTime() - end > 0) {
                    if (c instanceof InstallSession i) {
                        i.keypair().release();
                    }
                    break;
                }
                Thread.onSpinWait();
            }
        }
        return true;
    }

    /** The per-thread queues in fan-out mode (null otherwise). */
    public DataplaneCommands[] threads() {
        return lanes == null ? null : lanes.clone();
    }

    /** How to wake the polling thread (the dataplane sets it when it starts; null: nothing). */
    public void wakeup(Runnable w) {
        wakeup = w;
    }

    public boolean installSession(String localId, String remoteId, String remoteNode, Keypair kp, long expiresAtEpochMillis) {
        return offer(new InstallSession(localId, remoteId, remoteNode, kp, expiresAtEpochMillis));
    }

    public boolean failPair(String localId, String remoteId, String remoteNode, FailReason reason) {
        return offer(new FailPair(localId, remoteId, remoteNode, reason));
    }

    public boolean removeSession(String localId, String remoteId, String remoteNode) {
        return offer(new RemoveSession(localId, remoteId, remoteNode));
    }

    public boolean updateCluster(ClusterConfig config) {
        return offer(new UpdateCluster(config));
    }

    /** Dataplane side: the next command or null. */
    public Command poll() {
        return queue.poll();
    }

    public int pending() {
        if (lanes != null) {
            int n = 0;
            for (DataplaneCommands l : lanes) {
                n += l.pending();
            }
            return n;
        }
        return queue.size();
    }
}
