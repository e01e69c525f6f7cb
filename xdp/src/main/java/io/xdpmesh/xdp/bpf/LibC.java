package io.xdpmesh.xdp.bpf;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;

/** The few libc calls the loader needs (interface lookup, ethtool ioctl, libbpf log formatting, statfs). */
public interface LibC {
    @SaveError int if_nametoindex(String name);
    @SaveError int socket(int domain, int type, int protocol);
    @SaveError int ioctl(int fd, long request, Pointer arg);
    @SaveError int close(int fd);
    @SaveError int statfs(String path, Pointer buf);
    @SaveError int mount(String source, String target, String fstype, long flags, Pointer data);
    @SaveError int umount2(String target, int flags);
    int vsnprintf(Pointer buf, @size_t long size, Pointer format, Pointer args);
}
