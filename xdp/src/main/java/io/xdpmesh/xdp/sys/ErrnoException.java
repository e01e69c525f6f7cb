package io.xdpmesh.xdp.sys;

import java.io.IOException;

/** A failed system call: which call, the errno, and a sentence saying what it most likely means. */
public class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String call;

    public ErrnoException(String call, int errno, String hint) {
        super(call + " failed: " + Errno.describe(errno) + (hint == null || hint.isEmpty() ? "" : ": " + hint));
        this.errno = errno;
        this.call = call;
    }

    public int errno() {
        return errno;
    }

    public String call() {
        return call;
    }
}
