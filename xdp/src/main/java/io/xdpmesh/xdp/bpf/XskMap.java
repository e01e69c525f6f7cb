package io.xdpmesh.xdp.bpf;

import io.xdpmesh.xdp.sys.Errno;
import io.xdpmesh.xdp.sys.Sys;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * The attachment's XSKMAP (xm_xsks): rx queue id -> AF_XDP socket. The program redirects a frame
 * received on queue q to the socket registered for q; with none registered it applies the role's
 * no-socket policy (pod: drop, uplink: drop unless configured to pass). Control path only.
 */
public final class XskMap {
    /** XSKMAP size; matches XM_MAX_QUEUES in xdpmesh.h. */
    public static final int MAX_QUEUES = 256;

    private final int fd;
    private final String ifname;
    private final int rxQueues;
    private final Pointer key, value;

    XskMap(int fd, String ifname, int rxQueues) {
        this.fd = fd;
        this.ifname = ifname;
        this.rxQueues = rxQueues;
        var rt = Sys.RUNTIME;
        this.key = Memory.allocateDirect(rt, 4, true);
        this.value = Memory.allocateDirect(rt, 4, true);
    }

    /** Directs frames received on {@code queueId} to the AF_XDP socket {@code socketFd} (replacing any). */
    public synchronized void register(int queueId, int socketFd) {
        checkQueue(queueId);
        key.putInt(0, queueId);
        value.putInt(0, socketFd);
        int rc = SystemLibbpf.get().bpf_map_update_elem(fd, key, value, 0 /* BPF_ANY */);
        if (rc < 0) {
            int errno = -rc;
            String why = errno == Errno.ENOTSOCK || errno == Errno.EOPNOTSUPP || errno == Errno.EBADF || errno == Errno.EINVAL
                    ? " (fd " + socketFd + " must be an AF_XDP socket; bind it before registering)" : "";
            throw new BpfException(BpfException.Reason.SYSTEM, errno, "cannot register socket fd " + socketFd
                    + " for queue " + queueId + " of " + ifname + ": " + Errno.describe(errno) + why);
        }
    }

    /**
     * Removes the socket of {@code queueId} (a no-op when none is registered: the kernel does not
     * tell). Frames on that queue then meet the no-socket policy. Closing a socket also removes it.
     */
    public synchronized void unregister(int queueId) {
        checkQueue(queueId);
        key.putInt(0, queueId);
        int rc = SystemLibbpf.get().bpf_map_delete_elem(fd, key);
        if (rc < 0 && rc != -Errno.ENOENT) {
            throw BpfErrors.of(BpfErrors.Op.MAP_DELETE, -rc, ProgramHandles.MAP_XSKS + " queue " + queueId);
        }
    }

    /** rx queues of the interface (-1 when unknown); valid queue ids are 0..rxQueues-1. */
    public int rxQueues() {
        return rxQueues;
    }

    void checkQueue(int queueId) {
        checkQueue(queueId, rxQueues, ifname);
    }

    static void checkQueue(int queueId, int rxQueues, String ifname) {
        int limit = rxQueues > 0 ? Math.min(rxQueues, MAX_QUEUES) : MAX_QUEUES;
        if (queueId < 0 || queueId >= limit) {
            String has = rxQueues > 0 ? ifname + " has " + rxQueues + " rx queue" + (rxQueues == 1 ? "" : "s")
                    + " (ids 0.." + (rxQueues - 1) + ")" : "the map holds queues 0.." + (MAX_QUEUES - 1);
            throw new BpfException(BpfException.Reason.QUEUE_OUT_OF_RANGE, 0,
                    "queue id " + queueId + " is out of range: " + has);
        }
    }
}
