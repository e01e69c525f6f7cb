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
     * Held frames of the pair leave in order as soon as it is applied.
     */
    public record InstallSession(String localId, String remoteId, String remoteNode, Keypair keypair,
            long expiresAtEpochMillis) implements Command {}

    /** The handshake for the pair failed or timed out: held frames are dropped under reason. */
    public record FailPair(String localId, String remoteId, String remoteNode, FailReason reason) implements Command {}

    /** Forget the pair's session (expired, workload gone, policy no longer asks for it). */
    public record RemoveSession(String localId, String remoteId, String remoteNode) implements Command {}

    /** New endpoints and policy; the flow cache is invalidated, sessions renumbered by name. */
    public record UpdateCluster(ClusterConfig config) implements Command {}

    private final ManyToOneConcurrentArrayQueue<Command> queue;

    public DataplaneCommands(int capacity) {
        queue = new ManyToOneConcurrentArrayQueue<>(capacity);
    }

    /** Any thread; false when the queue is full (try again). */
    public boolean offer(Command c) {
        return queue.offer(Objects.requireNonNull(c, "command"));
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
        return queue.size();
    }
}
