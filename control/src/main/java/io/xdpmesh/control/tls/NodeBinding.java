package io.xdpmesh.control.tls;

import io.spiffe.spiffeid.SpiffeId;
import java.net.InetAddress;

/**
 * Node binding: is {@code identity} placed on the node whose agent is at {@code nodeAddress}? The
 * agent answers it from its endpoint table / cluster file; the handshake asks it for the peer of
 * every connection (the node it comes from, or goes to).
 */
@FunctionalInterface
public interface NodeBinding {
    boolean placedOn(SpiffeId identity, InetAddress nodeAddress);

    /** Accepts every placement; for tools such as the handshake benchmark, never for an agent. */
    NodeBinding ANY = (id, node) -> true;
}
