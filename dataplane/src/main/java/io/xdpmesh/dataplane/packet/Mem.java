package io.xdpmesh.dataplane.packet;

import io.xdpmesh.xdp.mem.NetOrder;
import org.agrona.UnsafeApi;

/**
 * Network-byte-order reads and writes at absolute addresses (UMEM base + UMEM address): the accessors
 * are {@link NetOrder}'s, shared with the xdp module's loops; this adds what only the dataplane uses.
 */
public final class Mem extends NetOrder {
    private Mem() {}

    public static void copy(long from, long to, long len) {
        UnsafeApi.copyMemory(from, to, len);
    }
}
