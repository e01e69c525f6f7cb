package io.xdpmesh.xdp.sys;

/**
 * Linux errno values this module reacts to (x86-64 / generic numbers), their symbolic names, and
 * the one way errors are put into words: {@link #describe(int)} = "EBUSY (Device or resource busy)".
 */
public final class Errno {
    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, ENXIO = 6, E2BIG = 7, EBADF = 9,
            EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, ENODEV = 19,
            ENOTDIR = 20, EINVAL = 22, ENOSPC = 28, ERANGE = 34, ENOSYS = 38, ELOOP = 40, ENOTSOCK = 88,
            ENOPROTOOPT = 92, EOPNOTSUPP = 95, EAFNOSUPPORT = 97, ENETDOWN = 100, ENOBUFS = 105,
            /** Kernel-internal "not supported" that leaks out of some BPF paths; libc has no text for it. */
            ENOTSUPP = 524;

    private Errno() {
    }

    /** Symbolic name for the errno values above, else "errno N". */
    public static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case ESRCH -> "ESRCH";
            case EINTR -> "EINTR";
            case ENXIO -> "ENXIO";
            case E2BIG -> "E2BIG";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case ENODEV -> "ENODEV";
            case ENOTDIR -> "ENOTDIR";
            case EINVAL -> "EINVAL";
            case ENOSPC -> "ENOSPC";
            case ERANGE -> "ERANGE";
            case ENOSYS -> "ENOSYS";
            case ELOOP -> "ELOOP";
            case ENOTSOCK -> "ENOTSOCK";
            case ENOPROTOOPT -> "ENOPROTOOPT";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case EAFNOSUPPORT -> "EAFNOSUPPORT";
            case ENETDOWN -> "ENETDOWN";
            case ENOBUFS -> "ENOBUFS";
            case ENOTSUPP -> "ENOTSUPP";
            default -> "errno " + errno;
        };
    }

    /** libc's strerror text; "unknown error" where libc has none. */
    public static String text(int errno) {
        if (errno == ENOTSUPP) {
            return "Operation not supported (kernel ENOTSUPP)";
        }
        String s = Sys.LIBC.strerror(errno);
        return s == null || s.isEmpty() || s.startsWith("Unknown error") ? "unknown error" : s;
    }

    /** "EBUSY (Device or resource busy)". */
    public static String describe(int errno) {
        return name(errno) + " (" + text(errno) + ")";
    }
}
