package io.xdpmesh.control.handshake;

import java.net.InetAddress;
import java.time.Duration;

/**
 * Handshake service settings.
 *
 * @param bindAddress       this node agent's address: the server listens on it, and outgoing
 *                          connections leave from it (peers check node binding by address)
 * @param port              TCP port (4250; 0 picks a free one, for tests)
 * @param maxConcurrent     handshakes in flight at once (initiated by this node)
 * @param maxQueued         pairs waiting for a slot; beyond it a request fails OVERLOADED
 * @param ratePerSecond     new handshakes started per second (token bucket) ...
 * @param burst             ... with this burst
 * @param attemptTimeout    one attempt (connect + TLS + index exchange)
 * @param maxAttempts       attempts per request for retriable failures
 * @param backoff           first retry delay, doubled per attempt, with up to 50% jitter
 * @param idleTimeout       the server closes a connection that never starts TLS after this
 * @param spareConnections  keep one pre-connected TCP connection per peer node, so the next pair
 *                          skips the TCP connect
 */
public record HandshakeConfig(InetAddress bindAddress, int port, int maxConcurrent, int maxQueued,
                              double ratePerSecond, int burst, Duration attemptTimeout, int maxAttempts,
                              Duration backoff, Duration idleTimeout, boolean spareConnections) {
    public static final int DEFAULT_PORT = 4250;

    public static HandshakeConfig defaults(InetAddress bindAddress, int port) {
        return new HandshakeConfig(bindAddress, port, 64, 4096, 2000, 200, Duration.ofSeconds(2), 3,
                Duration.ofMillis(50), Duration.ofSeconds(60), true);
    }

    public HandshakeConfig withLimits(int maxConcurrent, int maxQueued, double ratePerSecond, int burst) {
        return new HandshakeConfig(bindAddress, port, maxConcurrent, maxQueued, ratePerSecond, burst, attemptTimeout,
                maxAttempts, backoff, idleTimeout, spareConnections);
    }

    public HandshakeConfig withTimeouts(Duration attemptTimeout, int maxAttempts, Duration backoff) {
        return new HandshakeConfig(bindAddress, port, maxConcurrent, maxQueued, ratePerSecond, burst, attemptTimeout,
                maxAttempts, backoff, idleTimeout, spareConnections);
    }

    public HandshakeConfig withSpareConnections(boolean spare) {
        return new HandshakeConfig(bindAddress, port, maxConcurrent, maxQueued, ratePerSecond, burst, attemptTimeout,
                maxAttempts, backoff, idleTimeout, spare);
    }
}
