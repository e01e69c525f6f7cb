package io.xdpmesh.dataplane.session;

import io.xdpmesh.dataplane.counters.DropReason;

/** Why the control plane gave up on a pair; held frames are dropped under the matching reason. */
public enum FailReason {
    /** The handshake ran and failed (untrusted chain, wrong SPIFFE ID, node binding, refused...). */
    FAILED(DropReason.HANDSHAKE_FAILED),
    /** No answer in time. */
    TIMEOUT(DropReason.HANDSHAKE_TIMEOUT);

    private final DropReason drop;

    FailReason(DropReason drop) {
        this.drop = drop;
    }

    public DropReason dropReason() {
        return drop;
    }
}
