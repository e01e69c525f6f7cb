package io.xdpmesh.xdp.sys;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls AF_XDP set-up needs (jnr-ffi). Set-up only: the per-batch kick goes through
 * {@link Kick} (FFM), which is cheaper per call and captures errno without allocating.
 */
public interface LibC {
    @SaveError int socket(int domain, int type, int protocol);

    @SaveError int setsockopt(int fd, int level, int optname, Pointer optval, int optlen);

    @SaveError int getsockopt(int fd, int level, int optname, Pointer optval, Pointer optlen);

    @SaveError int bind(int fd, Pointer addr, int addrlen);

    /** The off_t/size_t annotations matter: the plain-long form fails with EINVAL. */
    @SaveError Pointer mmap(Pointer addr, @size_t long length, int prot, int flags, int fd, @off_t long offset);

    @SaveError int munmap(Pointer addr, @size_t long length);

    @SaveError @ssize_t long sendto(int fd, Pointer buf, @size_t long len, int flags, Pointer dest, int addrlen);

    @SaveError int close(int fd);

    @SaveError int open(String path, int flags);

    @SaveError int if_nametoindex(String name);

    @SaveError int setns(int fd, int nstype);

    String strerror(int errnum);
}
