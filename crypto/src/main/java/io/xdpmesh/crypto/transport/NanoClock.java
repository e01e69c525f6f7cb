package io.xdpmesh.crypto.transport;

/** A monotonic nanosecond clock; tests pass their own to control time. */
@FunctionalInterface
public interface NanoClock {
    NanoClock SYSTEM = System::nanoTime;

    long nanoTime();
}
