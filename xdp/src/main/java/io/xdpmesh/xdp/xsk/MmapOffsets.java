package io.xdpmesh.xdp.xsk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import io.xdpmesh.xdp.sys.ErrnoException;
import io.xdpmesh.xdp.sys.Sys;
import io.xdpmesh.xdp.sys.XdpAbi;

/** XDP_MMAP_OFFSETS: where producer, consumer, descriptors and flags sit inside each ring mapping. */
record MmapOffsets(Ring rx, Ring tx, Ring fill, Ring completion) {
    record Ring(long producerOffset, long consumerOffset, long descOffset, long flagsOffset) {
        RingLayout at(long base, int size) {
            return new RingLayout(base, producerOffset, consumerOffset, flagsOffset, descOffset, size);
        }
    }

    static MmapOffsets read(int fd) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment off = a.allocate(XdpAbi.MMAP_OFFSETS_SIZE, 8);
            MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, XdpAbi.MMAP_OFFSETS_SIZE);
            if (Sys.LIBC.getsockopt(fd, XdpAbi.SOL_XDP, XdpAbi.XDP_MMAP_OFFSETS, Sys.ptr(off), Sys.ptr(len)) != 0) {
                throw new ErrnoException("getsockopt(XDP_MMAP_OFFSETS)", Sys.errno(), null);
            }
            if (len.get(ValueLayout.JAVA_INT, 0) != XdpAbi.MMAP_OFFSETS_SIZE) {
                throw new IllegalStateException("kernel returned a pre-5.4 xdp_mmap_offsets (no flags field), "
                        + "length " + len.get(ValueLayout.JAVA_INT, 0));
            }
            return new MmapOffsets(ring(off, 0), ring(off, 32), ring(off, 64), ring(off, 96));
        }
    }

    private static Ring ring(MemorySegment s, int at) {
        return new Ring(s.get(ValueLayout.JAVA_LONG, at), s.get(ValueLayout.JAVA_LONG, at + 8),
                s.get(ValueLayout.JAVA_LONG, at + 16), s.get(ValueLayout.JAVA_LONG, at + 24));
    }
}
