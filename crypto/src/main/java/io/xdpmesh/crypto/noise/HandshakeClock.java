package io.xdpmesh.crypto.noise;

import java.time.Instant;

/** Time for the handshake: wall time for TAI64N, a monotonic clock for cookie ages and flood checks. */
public interface HandshakeClock {
    long nanoTime();

    Instant now();

    HandshakeClock SYSTEM = new HandshakeClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Instant now() {
            return Instant.now();
        }
    };
}
