package io.xdpmesh.control.session;

import io.xdpmesh.control.handshake.HandshakeService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Drains an {@link AuthRequestSource} into the handshake service every {@code periodMicros}
 * (outcomes go to the service's {@link SessionSink}). The service de-duplicates, bounds and rate
 * limits, so the pump only moves requests.
 */
public final class AuthRequestPump implements AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("xdpmesh-auth-pump").factory());

    public AuthRequestPump(AuthRequestSource source, HandshakeService service, long periodMicros) {
        timer.scheduleWithFixedDelay(() -> source.drain(service::authenticate, 1024), 0, periodMicros, TimeUnit.MICROSECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
