package io.xdpmesh.crypto.noise;

import java.time.Instant;

/** A clock tests move by hand: wall time and monotonic time advance together. */
final class FakeClock implements HandshakeClock {
    private long nanos = 1_000_000_000L;
    private Instant wall = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public Instant now() {
        return wall;
    }

    void advanceMillis(long ms) {
        nanos += ms * 1_000_000L;
        wall = wall.plusMillis(ms);
    }

    void advanceWallOnly(long ms) {
        wall = wall.plusMillis(ms);
    }
}
