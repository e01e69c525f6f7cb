package io.xdpmesh.xdp.sys;

/**
 * Moves the calling thread into a network namespace (setns) and back on close. Sockets and
 * interface look-ups made in between belong to that namespace for their whole life, whichever
 * thread uses them later. Only the calling thread moves; close it on the same thread.
 */
public final class NetNs implements AutoCloseable {
    private final int previous;
    private final Thread owner = Thread.currentThread();

    private NetNs(int previous) {
        this.previous = previous;
    }

    /** Enters /run/netns/{name} (as `ip netns add` creates it). */
    public static NetNs enter(String name) throws ErrnoException {
        return enterPath("/run/netns/" + name);
    }

    public static NetNs enterPath(String nsPath) throws ErrnoException {
        int self = Sys.LIBC.open("/proc/thread-self/ns/net", XdpAbi.O_RDONLY | XdpAbi.O_CLOEXEC);
        if (self < 0) {
            throw new ErrnoException("open(/proc/thread-self/ns/net)", Sys.errno(), null);
        }
        int target = Sys.LIBC.open(nsPath, XdpAbi.O_RDONLY | XdpAbi.O_CLOEXEC);
        if (target < 0) {
            int e = Sys.errno();
            Sys.close(self);
            throw new ErrnoException("open(" + nsPath + ")", e, "no such network namespace");
        }
        try {
            if (Sys.LIBC.setns(target, XdpAbi.CLONE_NEWNET) != 0) {
                int e = Sys.errno();
                Sys.close(self);
                throw new ErrnoException("setns(" + nsPath + ")", e, e == Errno.EPERM ? "needs CAP_SYS_ADMIN" : null);
            }
        } finally {
            Sys.close(target);
        }
        return new NetNs(self);
    }

    @Override
    public void close() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("NetNs must be closed on the thread that entered it");
        }
        try {
            if (Sys.LIBC.setns(previous, XdpAbi.CLONE_NEWNET) != 0) {
                throw new IllegalStateException("setns back to the original namespace failed: "
                        + Errno.describe(Sys.errno()));
            }
        } finally {
            Sys.close(previous);
        }
    }
}
