package io.xdpmesh.xdp.sys;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The one libc binding of this module (jnr-ffi), for set-up and control paths: AF_XDP socket
 * set-up, interface look-ups, namespaces, bpffs mounts, libbpf log formatting. The per-batch kick
 * goes through {@link Kick} (jnr-ffi with four primitive arguments; why not FFM is measured there).
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

    @SaveError int ioctl(int fd, long request, Pointer arg);

    @SaveError int setns(int fd, int nstype);

    @SaveError int statfs(String path, Pointer buf);

    @SaveError int mount(String source, String target, String fstype, long flags, Pointer data);

    @SaveError int umount2(String target, int flags);

    /** {@code args} is a va_list handed over by a native caller (libbpf's print callback). */
    int vsnprintf(Pointer buf, @size_t long size, Pointer format, Pointer args);

    String strerror(int errnum);
}
