package io.xdpmesh.control.session;

import io.xdpmesh.crypto.transport.Keypair;
import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * A session the handshake produced, handed to the dataplane through {@link SessionSink}.
 *
 * @param pair        the identity pair from this node's point of view (local = ours)
 * @param peerAgent   the peer agent's address (its node) and port
 * @param initiator   whether this node opened the connection (the TLS client)
 * @param epoch       rekey epoch on the TLS connection (1 for the first session)
 * @param keypair     transport keys and both receiver indexes; the sink owns it from now on
 * @param expiresAt   when the auth-cache entry expires: the earlier leaf NotAfter of the two SVIDs,
 *                    capped at creation + REJECT_AFTER_TIME (so WireGuard-style rekeying renews it)
 * @param localNotAfter NotAfter of the SVID this node presented
 * @param peerNotAfter  NotAfter of the peer's SVID
 */
public record EstablishedSession(IdentityPair pair, InetSocketAddress peerAgent, boolean initiator, long epoch,
                                 Keypair keypair, Instant expiresAt, Instant localNotAfter, Instant peerNotAfter) {
    @Override
    public String toString() {
        return "EstablishedSession[" + pair + ", peer=" + peerAgent + ", initiator=" + initiator + ", epoch=" + epoch
                + ", " + keypair + ", expiresAt=" + expiresAt + "]";
    }
}
