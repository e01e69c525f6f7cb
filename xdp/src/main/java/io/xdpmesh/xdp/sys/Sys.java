package io.xdpmesh.xdp.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/** The libc binding ({@link LibC}, loaded once) and thin checked wrappers for set-up calls (not the hot path). */
public final class Sys {
    public static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    public static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

    private Sys() {
    }

    /** errno of the last jnr-ffi call on this thread. */
    public static int errno() {
        return RUNTIME.getLastError();
    }

    /** Same as {@link Errno#text(int)}. */
    public static String strerror(int errno) {
        return Errno.text(errno);
    }

    public static Pointer ptr(MemorySegment segment) {
        return Pointer.wrap(RUNTIME, segment.address());
    }

    public static Pointer ptr(long address) {
        return Pointer.wrap(RUNTIME, address);
    }

    /** mmap; returns the address or throws. */
    public static long mmap(long length, int prot, int flags, int fd, long offset, String what) throws ErrnoException {
        Pointer p = LIBC.mmap(null, length, prot, flags, fd, offset);
        if (p == null || p.address() == -1L || p.address() == 0L) {
            int e = errno();
            throw new ErrnoException("mmap(" + what + ", " + length + " bytes, offset 0x"
                    + Long.toHexString(offset) + ")", e, e == Errno.ENOMEM && (flags & XdpAbi.MAP_HUGETLB) != 0
                    ? "no free hugepages (see /proc/sys/vm/nr_hugepages)" : null);
        }
        return p.address();
    }

    public static void munmap(long address, long length) {
        LIBC.munmap(ptr(address), length);
    }

    public static void close(int fd) {
        if (fd >= 0) {
            LIBC.close(fd);
        }
    }

    /** setsockopt with an int value; returns 0 or the errno. */
    public static int setsockoptInt(int fd, int level, int name, int value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
            v.set(ValueLayout.JAVA_INT, 0, value);
            return LIBC.setsockopt(fd, level, name, ptr(v), 4) == 0 ? 0 : errno();
        }
    }

    /** getsockopt with an int value; throws on failure. */
    public static int getsockoptInt(int fd, int level, int name, String what) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
            MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, 4);
            if (LIBC.getsockopt(fd, level, name, ptr(v), ptr(len)) != 0) {
                throw new ErrnoException("getsockopt(" + what + ")", errno(), null);
            }
            return v.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** Interface index for a name in the calling thread's network namespace. */
    public static int ifindex(String ifname) throws ErrnoException {
        int idx = NetDev.ifindexOrZero(ifname);
        if (idx == 0) {
            int e = NetDev.validName(ifname) ? errno() : Errno.EINVAL;
            throw new ErrnoException("if_nametoindex(\"" + ifname + "\")", e,
                    "no such interface in this thread's network namespace");
        }
        return idx;
    }
}
