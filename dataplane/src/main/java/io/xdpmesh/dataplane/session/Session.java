package io.xdpmesh.dataplane.session;

import io.xdpmesh.crypto.transport.Keypair;
import io.xdpmesh.crypto.transport.PeerKeypairs;

/**
 * One identity pair's session on this node: local identity, remote identity, remote node (dense
 * numbers of the current cluster snapshot; names kept so a cluster change can renumber), its
 * keypairs and its expiry. Owned by the dataplane thread.
 */
public final class Session {
    public final String localId;
    public final String remoteId;
    public final String remoteNodeName;
    public final PeerKeypairs keys = new PeerKeypairs();
    int slot;
    public long pairKey;
    public int localIdentity;
    public int remoteIdentity;
    public int remoteNode;
    /** System.nanoTime() after which the pair is no longer authenticated. */
    public long expiresAtNanos;

    Session(String localId, String remoteId, String remoteNodeName) {
        this.localId = localId;
        this.remoteId = remoteId;
        this.remoteNodeName = remoteNodeName;
    }

    public int slot() {
        return slot;
    }

    /** The keypair to seal with (current; a just-installed responder keypair while none is current). */
    public Keypair sendKeypair(long now) {
        Keypair k = keys.current();
        if (k != null && k.canSend(now)) {
            return k;
        }
        Keypair n = keys.next();
        return n != null && n.canSend(now) ? n : null;
    }

    /** The keypair whose receiver index is index, or null. */
    public Keypair receiveKeypair(int index) {
        Keypair k = keys.current();
        if (k != null && k.localIndex() == index) {
            return k;
        }
        k = keys.next();
        if (k != null && k.localIndex() == index) {
            return k;
        }
        k = keys.previous();
        return k != null && k.localIndex() == index ? k : null;
    }

    public boolean usable(long now) {
        return now - expiresAtNanos < 0 && sendKeypair(now) != null;
    }

    @Override
    public String toString() {
        return "Session[" + localId + " -> " + remoteId + " @ " + remoteNodeName + "]";
    }
}
