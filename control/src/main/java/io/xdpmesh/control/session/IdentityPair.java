package io.xdpmesh.control.session;

import io.spiffe.spiffeid.SpiffeId;
import java.util.Objects;

/** A (local workload, remote workload) identity pair, seen from this node. */
public record IdentityPair(SpiffeId local, SpiffeId remote) {
    public IdentityPair {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remote, "remote");
    }

    @Override
    public String toString() {
        return local + " -> " + remote;
    }
}
