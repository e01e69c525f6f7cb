package io.xdpmesh.crypto.aead;

import java.lang.foreign.MemorySegment;

/** Sends short packets to one implementation and long ones to another (both keyed alike). */
final class RoutingPacketAead implements PacketAead {
    private final PacketAead small;
    private final PacketAead large;
    private final int threshold;

    RoutingPacketAead(PacketAead small, PacketAead large, int threshold) {
        this.small = small;
        this.large = large;
        this.threshold = threshold;
    }

    @Override
    public void seal(MemorySegment seg, long off, int len, long counter) {
        (len < threshold ? small : large).seal(seg, off, len, counter);
    }

    @Override
    public boolean open(MemorySegment seg, long off, int len, long counter) {
        return (len < threshold ? small : large).open(seg, off, len, counter);
    }

    @Override
    public String implementation() {
        return small.implementation() + "<" + threshold + "<=" + large.implementation();
    }

    @Override
    public void close() {
        try {
            small.close();
        } finally {
            large.close();
        }
    }
}
