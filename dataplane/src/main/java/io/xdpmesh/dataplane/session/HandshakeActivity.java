package io.xdpmesh.dataplane.session;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many handshakes this node's agent is running right now (either role), for the dataplane's
 * idle strategy: a busy-spinning dataplane thread yields its core to them (see the engine's
 * PollWhileHeldIdleStrategy), since a new pair's first packets wait for exactly that work. The
 * control plane begins one per attempt and ends it through its token, once, on every path.
 */
public final class HandshakeActivity {
    private final AtomicInteger active = new AtomicInteger();

    /** Handshakes begun and not yet ended (one volatile read; any thread). */
    public int active() {
        return active.get();
    }

    /** One handshake begins; end it with the token (later ends do nothing). */
    public Token begin() {
        active.incrementAndGet();
        return new Token();
    }

    /** Ends its handshake once. */
    public final class Token {
        private final AtomicBoolean ended = new AtomicBoolean();

        public void end() {
            if (ended.compareAndSet(false, true)) {
                active.decrementAndGet();
            }
        }
    }
}
