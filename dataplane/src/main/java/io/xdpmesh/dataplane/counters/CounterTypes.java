package io.xdpmesh.dataplane.counters;

/** Agrona counter type ids, so the CLI can group what it reads. */
public final class CounterTypes {
    public static final int STAT = 1;
    public static final int DROP = 2;
    public static final int HANDSHAKE = 3;

    private CounterTypes() {}
}
