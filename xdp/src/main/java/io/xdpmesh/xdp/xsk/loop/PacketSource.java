package io.xdpmesh.xdp.xsk.loop;

/** Writes the sequence-th packet into a frame; returns its length. Must not allocate. */
@FunctionalInterface
public interface PacketSource {
    int write(long frameAddress, int capacity, long sequence);
}
