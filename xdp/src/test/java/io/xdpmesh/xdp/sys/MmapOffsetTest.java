package io.xdpmesh.xdp.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;

/**
 * mmap's 6th argument (the offset) must reach the kernel intact even above 2^32: the fill and
 * completion rings live at page offsets 0x100000000 and 0x180000000, and jnr-ffi's fast call path
 * is known to corrupt a 6th integer argument (jnr/jnr-ffi#181). A sparse file with markers at such
 * offsets shows what the kernel really received.
 */
class MmapOffsetTest {
    @Test
    void largeOffsetsReachTheKernel() throws Exception {
        Path f = Files.createTempFile("xm-mmap", ".bin");
        long[] offsets = {0L, 0x1000L, 0x80000000L, 0x100000000L, 0x180000000L, 0x180001000L};
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            for (long off : offsets) {
                raf.seek(off);
                raf.writeLong(Long.reverseBytes(0x5eed0000L ^ off));
            }
            int fd = Sys.LIBC.open(f.toString(), XdpAbi.O_RDONLY | XdpAbi.O_CLOEXEC);
            try {
                for (long off : offsets) {
                    long a = Sys.mmap(4096, XdpAbi.PROT_READ, XdpAbi.MAP_SHARED, fd, off, "test file");
                    try {
                        assertEquals(0x5eed0000L ^ off, UnsafeApi.getLong(a), "mapped offset 0x" + Long.toHexString(off));
                    } finally {
                        Sys.munmap(a, 4096);
                    }
                }
            } finally {
                Sys.close(fd);
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
