package io.xdpmesh.dataplane.pending;

/** Receives held frames leaving the pending queue (sent, or dropped and freed). */
@FunctionalInterface
public interface FrameSink {
    void accept(long frameAddr, int frameLen);
}
