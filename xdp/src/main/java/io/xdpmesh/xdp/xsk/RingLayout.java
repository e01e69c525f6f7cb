package io.xdpmesh.xdp.xsk;

/**
 * Where a ring lives: the mapping's base address, the offsets of producer, consumer, flags and
 * descriptors inside it (from XDP_MMAP_OFFSETS), and the number of entries.
 */
public record RingLayout(long base, long producerOffset, long consumerOffset, long flagsOffset,
                         long descOffset, int size) {
}
