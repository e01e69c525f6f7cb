package io.xdpmesh.control.session;

import io.xdpmesh.control.handshake.HandshakeService;
import java.lang.System.Logger.Level;

/**
 * Moves requests from an {@link AuthRequestSource} into the handshake service on its own thread
 * (outcomes go to the service's {@link SessionSink}). The thread parks inside the source while
 * nothing is queued and the dataplane wakes it when a request arrives, so a first packet's request
 * waits neither for a polling period nor for a timer; {@code maxWaitMicros} only bounds how long
 * it sleeps between checks of its own shutdown. The service de-duplicates, bounds and rate
 * limits, so the pump only moves requests.
 */
public final class AuthRequestPump implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AuthRequestPump.class.getName());
    private final Thread thread;
    private volatile boolean running = true;

    public AuthRequestPump(AuthRequestSource source, HandshakeService service, long maxWaitMicros) {
        long waitNanos = maxWaitMicros * 1000;
        thread = Thread.ofPlatform().daemon().name("xdpmesh-auth-pump").start(() -> {
            while (running) {
                try {
                    source.drain(service::authenticate, 1024, waitNanos);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "auth request pump: " + e);
                }
            }
        });
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
