package io.xdpmesh.xdp.bpf;

import io.xdpmesh.xdp.sys.Sys;

/**
 * File descriptors of one role's program and its three maps, and how to release them: either a
 * libbpf bpf_object this process loaded, or plain fds re-opened from pins or ids.
 */
final class ProgramHandles implements AutoCloseable {
    static final String MAP_XSKS = "xm_xsks", MAP_CONFIG = "xm_config", MAP_COUNTERS = "xm_counters";

    final int progFd, xsksFd, configFd, countersFd;
    private final Runnable release;
    private boolean closed;

    ProgramHandles(int progFd, int xsksFd, int configFd, int countersFd, Runnable release) {
        this.progFd = progFd;
        this.xsksFd = xsksFd;
        this.configFd = configFd;
        this.countersFd = countersFd;
        this.release = release;
    }

    static ProgramHandles ofFds(int progFd, int xsksFd, int configFd, int countersFd) {
        return new ProgramHandles(progFd, xsksFd, configFd, countersFd, () -> {
            var libc = Sys.LIBC;
            for (int fd : new int[] {progFd, xsksFd, configFd, countersFd}) {
                if (fd >= 0) {
                    libc.close(fd);
                }
            }
        });
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            release.run();
        }
    }
}
