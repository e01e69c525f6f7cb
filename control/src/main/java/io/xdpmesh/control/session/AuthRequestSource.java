package io.xdpmesh.control.session;

import java.util.function.Consumer;

/**
 * The dataplane's side of the request path: a lock-free queue (Agrona) the dataplane thread
 * offers to when a frame of an unauthenticated pair is held. The control plane drains it; the
 * dataplane never waits on it.
 */
@FunctionalInterface
public interface AuthRequestSource {
    /**
     * Hands up to {@code limit} queued requests to {@code handler}; when none is queued, waits up
     * to {@code maxWaitNanos} for one (an implementation that cannot be woken just returns and the
     * caller polls again). Returns how many were handed on.
     */
    int drain(Consumer<AuthRequest> handler, int limit, long maxWaitNanos);
}
