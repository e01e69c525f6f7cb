package io.xdpmesh.xdp.bpf;

import io.xdpmesh.xdp.sys.Errno;
import io.xdpmesh.xdp.sys.Capabilities;
import java.util.List;

import io.xdpmesh.xdp.bpf.BpfException.Reason;

/** Turns a failed libbpf/kernel call into a {@link BpfException} a network engineer can act on. */
final class BpfErrors {
    enum Op {
        OPEN_OBJECT("open the XDP object"),
        LOAD("load the XDP program"),
        VERIFY("load (verify) the XDP program"),
        ATTACH("attach the XDP program to"),
        DETACH("detach the XDP program from"),
        QUERY("query the XDP program on"),
        PIN("pin"),
        OPEN_PIN("open the pinned object"),
        MAP_UPDATE("update map"),
        MAP_DELETE("delete from map"),
        MAP_LOOKUP("read map"),
        BY_ID("open BPF object by id"),
        INTERFACE("look up interface");

        final String text;

        Op(String text) {
            this.text = text;
        }
    }

    private BpfErrors() {}

    static BpfException of(Op op, int errno, String subject) {
        return of(op, errno, subject, Capabilities.current(), List.of());
    }

    static BpfException of(Op op, int errno, String subject, Capabilities caps, List<String> log) {
        String what = "cannot " + op.text + " " + subject + ": " + Errno.describe(errno);
        Reason reason = reason(op, errno, log);
        String hint = switch (reason) {
            case PERMISSION_DENIED -> permissionHint(caps);
            case NO_SUCH_INTERFACE -> "; no interface of that name/index in this network namespace"
                    + " (the calling thread's namespace is the one that counts)";
            case MODE_NOT_SUPPORTED -> errno == Errno.ERANGE
                    ? "; the interface MTU is too large for XDP on this driver (lower the MTU or use generic mode)"
                    : "; the driver has no native XDP support; ask for generic (SKB) mode explicitly";
            case FOREIGN_PROGRAM -> "; another XDP program is attached to the interface and is left in place";
            case VERIFIER_REJECTED -> "; the kernel verifier rejected the program" + tail(log);
            case BPFFS_NOT_MOUNTED -> "; " + BpfFs.MOUNT_HINT;
            default -> log.isEmpty() ? "" : tail(log);
        };
        return new BpfException(reason, errno, what + hint, log);
    }

    static Reason reason(Op op, int errno, List<String> log) {
        if (errno == Errno.EPERM || (errno == Errno.EACCES && op != Op.VERIFY)) {
            return Reason.PERMISSION_DENIED;
        }
        return switch (op) {
            case VERIFY -> Reason.VERIFIER_REJECTED;
            case ATTACH -> switch (errno) {
                case Errno.ENODEV -> Reason.NO_SUCH_INTERFACE;
                case Errno.EOPNOTSUPP, Errno.ENOTSUPP, Errno.ERANGE -> Reason.MODE_NOT_SUPPORTED;
                case Errno.EBUSY, Errno.EEXIST -> Reason.FOREIGN_PROGRAM;
                default -> Reason.SYSTEM;
            };
            case DETACH, QUERY, INTERFACE -> errno == Errno.ENODEV ? Reason.NO_SUCH_INTERFACE : Reason.SYSTEM;
            case PIN, OPEN_PIN -> errno == Errno.EINVAL || errno == Errno.ENOTDIR ? Reason.BPFFS_NOT_MOUNTED
                    : Reason.SYSTEM;
            default -> Reason.SYSTEM;
        };
    }

    static String permissionHint(Capabilities caps) {
        return "; XDP needs root, or CAP_NET_ADMIN and CAP_BPF (CAP_SYS_ADMIN on old kernels)"
                + Capabilities.lacking(caps.missingForXdp());
    }

    private static String tail(List<String> log) {
        if (log.isEmpty()) {
            return "";
        }
        int from = Math.max(0, log.size() - 8);
        return "; last messages:\n  " + String.join("\n  ", log.subList(from, log.size()));
    }
}
