package io.xdpmesh.control.session;

import java.util.function.Consumer;

/**
 * The dataplane's side of the request path: a lock-free queue (Agrona) the dataplane thread
 * offers to when a frame of an unauthenticated pair is held. The control plane drains it; the
 * dataplane never waits on it.
 */
@FunctionalInterface
public interface AuthRequestSource {
    /** Hands up to {@code limit} queued requests to {@code handler}; returns how many. */
    int drain(Consumer<AuthRequest> handler, int limit);
}
