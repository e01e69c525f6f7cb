package io.xdpmesh.xdp.bpf;

import java.util.List;

/**
 * A failure of XDP program load, attach, pinning or map access, with a message for the person
 * operating the node, the reason as an enum, and the errno when the kernel gave one.
 */
public final class BpfException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** Not root, or missing CAP_NET_ADMIN / CAP_BPF (/ CAP_PERFMON). */
        PERMISSION_DENIED,
        NO_SUCH_INTERFACE,
        /** The kernel has no AF_XDP (CONFIG_XDP_SOCKETS): no XSKMAP. */
        NO_XDP_SOCKETS,
        /** The driver cannot run XDP in the requested mode. */
        MODE_NOT_SUPPORTED,
        QUEUE_OUT_OF_RANGE,
        /** Another program (not ours) is attached to the interface. */
        FOREIGN_PROGRAM,
        VERIFIER_REJECTED,
        /** The pin directory is not on a bpf filesystem. */
        BPFFS_NOT_MOUNTED,
        LIBBPF_MISSING,
        /** The object or its pins do not look like what this code built. */
        BAD_OBJECT,
        /** Anything else the kernel refused; see the errno. */
        SYSTEM
    }

    private final Reason reason;
    private final int errno;
    private final List<String> log;

    public BpfException(Reason reason, int errno, String message) {
        this(reason, errno, message, List.of());
    }

    public BpfException(Reason reason, int errno, String message, List<String> log) {
        super(message);
        this.reason = reason;
        this.errno = errno;
        this.log = List.copyOf(log);
    }

    public Reason reason() {
        return reason;
    }

    /** The positive errno, or 0 when the failure did not come from a system call. */
    public int errno() {
        return errno;
    }

    /** The verifier log or libbpf's messages that go with this failure (may be empty). */
    public List<String> log() {
        return log;
    }
}
