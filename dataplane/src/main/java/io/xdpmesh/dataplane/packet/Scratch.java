package io.xdpmesh.dataplane.packet;

import io.xdpmesh.xdp.xsk.FrameStack;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One thread's contiguous working region for packets larger than one UMEM frame (a jumbo uplink):
 * tunnel ingress gathers a descriptor chain here to open it in one piece, egress builds and seals
 * a message here before spilling it into fresh frames as a TX chain. Allocated once; nothing per
 * packet. Offsets are into {@link #seg}; {@link #base} is its absolute address.
 */
public final class Scratch {
    /** Where an inner packet starts when a message is built here: room in front for WireGuard and outer headers. */
    public static final int INNER = 256;

    public final MemorySegment seg;
    public final long base;
    public final int size;

    public Scratch(int size) {
        this.seg = Arena.ofAuto().allocate(size, 64);
        this.base = seg.address();
        this.size = size;
    }

    /** Bytes an inner packet (with its link-layer bytes in front) may take at {@link #INNER}, tag included. */
    public int innerRoom() {
        return size - INNER - 64;
    }

    /**
     * Copies n bytes at absolute src into fresh frames taken from frames (each filled from its start,
     * up to frameSize), the pieces into addr/len: the descriptors of one TX chain. Returns how many
     * pieces, or -1 (nothing taken) when that would take more than addr.length pieces or leave
     * fewer than reserve frames free.
     */
    public static int spill(long src, int n, FrameStack frames, long umemBase, int frameSize, int reserve,
            long[] addr, int[] len) {
        int k = (n + frameSize - 1) / frameSize;
        if (k > addr.length || frames.available() < k + reserve) {
            return -1;
        }
        for (int i = 0; i < k; i++) {
            long f = frames.alloc();
            int m = Math.min(frameSize, n - i * frameSize);
            Mem.copy(src + (long) i * frameSize, umemBase + f, m);
            addr[i] = f;
            len[i] = m;
        }
        return k;
    }
}
