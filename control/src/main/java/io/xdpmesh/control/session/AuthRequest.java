package io.xdpmesh.control.session;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The dataplane's request to authenticate a pair: the local and remote identities and the peer
 * agent's handshake endpoint (the remote node's address and port 4250). Two equal requests are
 * one handshake (de-duplicated while it runs).
 */
public record AuthRequest(IdentityPair pair, InetSocketAddress peerAgent) {
    public AuthRequest {
        Objects.requireNonNull(pair, "pair");
        Objects.requireNonNull(peerAgent, "peerAgent");
    }

    @Override
    public String toString() {
        return pair + " via " + peerAgent.getAddress().getHostAddress() + ":" + peerAgent.getPort();
    }
}
