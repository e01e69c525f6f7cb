package io.xdpmesh.xdp.xsk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import io.xdpmesh.xdp.sys.Capabilities;
import io.xdpmesh.xdp.sys.Errno;
import io.xdpmesh.xdp.sys.ErrnoException;
import io.xdpmesh.xdp.sys.Kick;
import io.xdpmesh.xdp.sys.NetDev;
import io.xdpmesh.xdp.sys.Sys;
import io.xdpmesh.xdp.sys.XdpAbi;

/**
 * An AF_XDP socket bound to one (interface, queue), with its RX/TX rings and the fill/completion
 * rings of that (interface, queue) on its UMEM. Not thread-safe: one dataplane thread drives it.
 * The kick methods make a syscall only when the kernel set XDP_RING_NEED_WAKEUP.
 */
public final class XskSocket implements AutoCloseable {
    private final Umem umem;
    private final int fd;
    private final int ifindex;
    private final String ifname;
    private final int queueId;
    private final boolean zeroCopy;
    private final boolean scatterGather;
    private final boolean sharedPool;
    private final RxRing rx;
    private final TxRing tx;
    private final QueueRings queue;
    private final long rxMap;
    private final long rxLen;
    private final long txMap;
    private final long txLen;
    private final Kick kick;
    private final List<String> busyPollReport;
    private final MemorySegment statsSeg;
    private final MemorySegment statsLen;
    private boolean closed;

    private XskSocket(Builder b) {
        this.umem = b.umem;
        this.fd = b.fd;
        this.ifindex = b.ifindex;
        this.ifname = b.ifname;
        this.queueId = b.queueId;
        this.zeroCopy = b.zeroCopy;
        this.scatterGather = b.sg;
        this.sharedPool = b.sharedPool;
        this.rx = b.rx;
        this.tx = b.tx;
        this.queue = b.queue;
        this.rxMap = b.rxMap;
        this.rxLen = b.rxLen;
        this.txMap = b.txMap;
        this.txLen = b.txLen;
        this.busyPollReport = List.copyOf(b.busyPollReport);
        this.kick = new Kick(fd);
        Arena arena = Arena.ofAuto();
        this.statsSeg = arena.allocate(XdpAbi.STATISTICS_SIZE, 8);
        this.statsLen = arena.allocate(ValueLayout.JAVA_INT);
    }

    /** Internal carrier of the set-up results. */
    private static final class Builder {
        Umem umem;
        int fd = -1;
        int ifindex;
        String ifname;
        int queueId;
        boolean zeroCopy;
        boolean sg;
        boolean sharedPool;
        RxRing rx;
        TxRing tx;
        QueueRings queue;
        long rxMap;
        long rxLen;
        long txMap;
        long txLen;
        final List<String> busyPollReport = new ArrayList<>();
    }

    /** socket(AF_XDP, SOCK_RAW) with an error that says what is wrong. */
    static int newSocket() throws ErrnoException {
        int fd = Sys.LIBC.socket(XdpAbi.AF_XDP, XdpAbi.SOCK_RAW | XdpAbi.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            int e = Sys.errno();
            throw new ErrnoException("socket(AF_XDP, SOCK_RAW)", e, switch (e) {
                case Errno.EAFNOSUPPORT -> "this kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS)";
                case Errno.EPERM, Errno.EACCES -> permissionHint();
                default -> null;
            });
        }
        return fd;
    }

    /**
     * Creates and binds a socket on umem. The first socket of a UMEM uses its registration fd; later
     * ones bind with XDP_SHARED_UMEM, sharing the fill/completion pair when they are on the same
     * (interface, queue) and getting their own pair otherwise.
     */
    public static XskSocket open(Umem umem, XskConfig cfg) throws ErrnoException {
        cfg.validate(umem);
        Builder b = new Builder();
        b.umem = umem;
        b.queueId = cfg.queueId;
        b.ifname = cfg.ifname;
        b.ifindex = cfg.ifname != null ? Sys.ifindex(cfg.ifname) : cfg.ifindex;
        if (b.ifname == null) {
            b.ifname = "ifindex " + b.ifindex;
        }
        long key = ((long) b.ifindex << 32) | (cfg.queueId & 0xffffffffL);
        int regFd = umem.takeRegistrationFd();
        boolean usesRegFd = regFd >= 0;
        QueueRings created = null;
        try {
            b.fd = usesRegFd ? regFd : newSocket();
            QueueRings existing;
            synchronized (umem) {
                existing = umem.queues.get(key);
            }
            b.sharedPool = existing != null;
            if (!b.sharedPool) {
                setRingSize(b.fd, XdpAbi.XDP_UMEM_FILL_RING, cfg.fillSize, "XDP_UMEM_FILL_RING");
                setRingSize(b.fd, XdpAbi.XDP_UMEM_COMPLETION_RING, cfg.completionSize, "XDP_UMEM_COMPLETION_RING");
            }
            if (cfg.rxSize > 0) {
                setRingSize(b.fd, XdpAbi.XDP_RX_RING, cfg.rxSize, "XDP_RX_RING");
            }
            if (cfg.txSize > 0) {
                setRingSize(b.fd, XdpAbi.XDP_TX_RING, cfg.txSize, "XDP_TX_RING");
            }
            MmapOffsets off = MmapOffsets.read(b.fd);
            if (cfg.rxSize > 0) {
                b.rxLen = off.rx().descOffset() + (long) cfg.rxSize * XdpAbi.DESC_SIZE;
                b.rxMap = mapRing(b.fd, b.rxLen, XdpAbi.XDP_PGOFF_RX_RING, "RX ring");
                b.rx = new RxRing(off.rx().at(b.rxMap, cfg.rxSize));
            }
            if (cfg.txSize > 0) {
                b.txLen = off.tx().descOffset() + (long) cfg.txSize * XdpAbi.DESC_SIZE;
                b.txMap = mapRing(b.fd, b.txLen, XdpAbi.XDP_PGOFF_TX_RING, "TX ring");
                b.tx = new TxRing(off.tx().at(b.txMap, cfg.txSize));
            }
            if (!b.sharedPool) {
                long fl = off.fill().descOffset() + (long) cfg.fillSize * 8;
                long fm = mapRing(b.fd, fl, XdpAbi.XDP_UMEM_PGOFF_FILL_RING, "fill ring");
                long cl = off.completion().descOffset() + (long) cfg.completionSize * 8;
                long cm;
                try {
                    cm = mapRing(b.fd, cl, XdpAbi.XDP_UMEM_PGOFF_COMPLETION_RING, "completion ring");
                } catch (ErrnoException e) {
                    Sys.munmap(fm, fl);
                    throw e;
                }
                created = new QueueRings(new FillRing(off.fill().at(fm, cfg.fillSize)), fm, fl,
                        new CompletionRing(off.completion().at(cm, cfg.completionSize)), cm, cl, b.fd, usesRegFd);
            }
            int sharedFd = b.sharedPool ? existing.ownerFd : umem.fd();
            b.zeroCopy = bind(b, cfg, usesRegFd ? -1 : sharedFd);
            b.sg = cfg.sg;
            synchronized (umem) {
                if (created != null) {
                    umem.queues.put(key, created);
                    b.queue = created;
                } else {
                    b.queue = existing;
                }
                b.queue.refs++;
            }
            applyBusyPoll(b, cfg);
            return new XskSocket(b);
        } catch (ErrnoException | RuntimeException e) {
            if (b.rxMap != 0) {
                Sys.munmap(b.rxMap, b.rxLen);
            }
            if (b.txMap != 0) {
                Sys.munmap(b.txMap, b.txLen);
            }
            if (created != null) {
                created.unmap();
            }
            umem.socketClosed();
            if (usesRegFd) {
                try {
                    umem.replaceRegistrationFd();
                } catch (ErrnoException again) {
                    e.addSuppressed(again);
                }
            } else {
                Sys.close(b.fd);
            }
            throw e;
        }
    }

    private static void setRingSize(int fd, int opt, int entries, String what) throws ErrnoException {
        int e = Sys.setsockoptInt(fd, XdpAbi.SOL_XDP, opt, entries);
        if (e != 0) {
            throw new ErrnoException("setsockopt(" + what + ", " + entries + ")", e,
                    e == Errno.EINVAL ? "ring size must be a power of two the kernel accepts" : null);
        }
    }

    private static long mapRing(int fd, long len, long pgoff, String what) throws ErrnoException {
        return Sys.mmap(len, XdpAbi.PROT_READ | XdpAbi.PROT_WRITE, XdpAbi.MAP_SHARED | XdpAbi.MAP_POPULATE, fd,
                pgoff, what);
    }

    /** Binds; returns true when the socket ended up in zero-copy mode. */
    private static boolean bind(Builder b, XskConfig cfg, int sharedFd) throws ErrnoException {
        if (sharedFd >= 0) {
            // Shared sockets inherit copy/zero-copy, need_wakeup and SG from the UMEM's first socket:
            // the kernel refuses those flags here.
            bindOnce(b, XdpAbi.XDP_SHARED_UMEM, sharedFd, "XDP_SHARED_UMEM");
            return readZeroCopy(b.fd);
        }
        short base = (short) ((cfg.needWakeup ? XdpAbi.XDP_USE_NEED_WAKEUP : 0) | (cfg.sg ? XdpAbi.XDP_USE_SG : 0));
        switch (cfg.mode) {
            case COPY -> bindOnce(b, (short) (base | XdpAbi.XDP_COPY), 0, "XDP_COPY");
            case ZEROCOPY -> bindOnce(b, (short) (base | XdpAbi.XDP_ZEROCOPY), 0, "XDP_ZEROCOPY");
            case AUTO -> {
                int e = tryBind(b.fd, (short) (base | XdpAbi.XDP_ZEROCOPY), b.ifindex, b.queueId, 0);
                if (e == Errno.EOPNOTSUPP || e == Errno.EINVAL && cfg.sg) {
                    // No zero-copy in this driver (veth, or SG not supported in zero-copy): copy mode.
                    bindOnce(b, (short) (base | XdpAbi.XDP_COPY), 0, "XDP_COPY after zero-copy gave " + Errno.name(e));
                } else if (e != 0) {
                    throw bindError(b, e, "XDP_ZEROCOPY");
                }
            }
        }
        return readZeroCopy(b.fd);
    }

    private static void bindOnce(Builder b, short flags, int sharedFd, String what) throws ErrnoException {
        int e = tryBind(b.fd, flags, b.ifindex, b.queueId, sharedFd);
        if (e != 0) {
            throw bindError(b, e, what);
        }
    }

    private static int tryBind(int fd, short flags, int ifindex, int queueId, int sharedFd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(XdpAbi.SOCKADDR_XDP_SIZE, 4);
            sa.set(ValueLayout.JAVA_SHORT, 0, (short) XdpAbi.AF_XDP);
            sa.set(ValueLayout.JAVA_SHORT, 2, flags);
            sa.set(ValueLayout.JAVA_INT, 4, ifindex);
            sa.set(ValueLayout.JAVA_INT, 8, queueId);
            sa.set(ValueLayout.JAVA_INT, 12, sharedFd);
            return Sys.LIBC.bind(fd, Sys.ptr(sa), XdpAbi.SOCKADDR_XDP_SIZE) == 0 ? 0 : Sys.errno();
        }
    }

    /** What AF_XDP needs, and which of it this process lacks. */
    static String permissionHint() {
        return "AF_XDP needs root, or CAP_NET_RAW (the socket) and CAP_NET_ADMIN (XDP, busy polling)"
                + Capabilities.lacking(Capabilities.current().missingForXsk());
    }

    private static ErrnoException bindError(Builder b, int e, String what) {
        String where = b.ifname + " queue " + b.queueId;
        String hint = switch (e) {
            case Errno.EBUSY -> where + " already has an AF_XDP socket bound (another process, or a socket "
                    + "not closed)";
            case Errno.EINVAL -> {
                int queues = NetDev.queues(b.ifname, b.ifindex).usable();
                yield queues > 0 && b.queueId >= queues
                        ? "queue id " + b.queueId + " out of range: " + b.ifname + " has " + queues + " queue(s)"
                        : "queue id out of range for " + b.ifname + ", or flags the kernel rejects";
            }
            case Errno.EOPNOTSUPP -> b.ifname + " has no zero-copy AF_XDP support (use copy mode)";
            case Errno.ENODEV, Errno.ENXIO -> "no interface with index " + b.ifindex;
            case Errno.ENETDOWN -> b.ifname + " is down";
            case Errno.EPERM, Errno.EACCES -> permissionHint();
            default -> null;
        };
        return new ErrnoException("bind(AF_XDP " + where + ", " + what + ")", e, hint);
    }

    private static boolean readZeroCopy(int fd) throws ErrnoException {
        return (Sys.getsockoptInt(fd, XdpAbi.SOL_XDP, XdpAbi.XDP_OPTIONS, "XDP_OPTIONS")
                & XdpAbi.XDP_OPTIONS_ZEROCOPY) != 0;
    }

    private static void applyBusyPoll(Builder b, XskConfig cfg) {
        if (cfg.preferBusyPoll) {
            report(b, "SO_PREFER_BUSY_POLL=1", Sys.setsockoptInt(b.fd, XdpAbi.SOL_SOCKET, XdpAbi.SO_PREFER_BUSY_POLL, 1));
        }
        if (cfg.busyPollUsecs > 0) {
            report(b, "SO_BUSY_POLL=" + cfg.busyPollUsecs,
                    Sys.setsockoptInt(b.fd, XdpAbi.SOL_SOCKET, XdpAbi.SO_BUSY_POLL, cfg.busyPollUsecs));
        }
        if (cfg.busyPollBudget > 0) {
            report(b, "SO_BUSY_POLL_BUDGET=" + cfg.busyPollBudget,
                    Sys.setsockoptInt(b.fd, XdpAbi.SOL_SOCKET, XdpAbi.SO_BUSY_POLL_BUDGET, cfg.busyPollBudget));
        }
    }

    private static void report(Builder b, String what, int errno) {
        b.busyPollReport.add(what + (errno == 0 ? " ok" : " not applied: " + Errno.describe(errno)));
    }

    public Umem umem() {
        return umem;
    }

    public int fd() {
        return fd;
    }

    public int ifindex() {
        return ifindex;
    }

    public String ifname() {
        return ifname;
    }

    public int queueId() {
        return queueId;
    }

    public boolean zeroCopy() {
        return zeroCopy;
    }

    public boolean scatterGather() {
        return scatterGather;
    }

    /** "zero-copy" or "copy". */
    public String mode() {
        return zeroCopy ? "zero-copy" : "copy";
    }

    /** True when this socket shares the fill/completion pair of an earlier socket on the same queue. */
    public boolean sharesQueueRings() {
        return sharedPool;
    }

    /** Result of each requested busy-poll option ("SO_BUSY_POLL=20 ok", "... not applied: EPERM"). */
    public List<String> busyPollReport() {
        return busyPollReport;
    }

    /** The RX ring, or null if the socket was made without one. */
    public RxRing rx() {
        return rx;
    }

    /** The TX ring, or null if the socket was made without one. */
    public TxRing tx() {
        return tx;
    }

    /** The fill ring of this (interface, queue), shared with other sockets on it. */
    public FillRing fill() {
        return queue.fill;
    }

    /** The completion ring of this (interface, queue), shared with other sockets on it. */
    public CompletionRing completion() {
        return queue.completion;
    }

    /**
     * After submitting to TX: sendto only when the kernel asks (need_wakeup). Returns 0, or an errno
     * that means "try again next batch" (EAGAIN, EBUSY, ENOBUFS, ENETDOWN, or ENXIO once the device is
     * gone); throws on others.
     */
    public int kickTx() {
        if (!tx.needsWakeup()) {
            return 0;
        }
        return checkKick(kick.tx());
    }

    /** Unconditional TX kick (for sockets bound without need_wakeup). */
    public int kickTxAlways() {
        return checkKick(kick.tx());
    }

    /** After refilling: wake the kernel's RX side only when the fill ring asks. */
    public int kickFill() {
        if (!queue.fill.needsWakeup()) {
            return 0;
        }
        return checkKick(kick.rx());
    }

    /** Unconditional fill/RX wake-up (recvfrom). */
    public int kickFillAlways() {
        return checkKick(kick.rx());
    }

    /** Blocks up to timeoutMs for RX readiness (idle paths only, never in the busy loop). */
    public int pollIn(int timeoutMs) {
        return kick.poll(Kick.POLLIN, timeoutMs);
    }

    private int checkKick(int errno) {
        switch (errno) {
            // ENXIO: the socket lost its device (interface deleted); the owner retires it
            case 0, Errno.EAGAIN, Errno.EBUSY, Errno.ENOBUFS, Errno.ENETDOWN, Errno.ENXIO -> {
                return errno;
            }
            default -> throw new IllegalStateException("AF_XDP wake-up on " + ifname + " queue " + queueId
                    + " failed: " + Errno.describe(errno));
        }
    }

    /** Reads XDP_STATISTICS into out; allocates nothing. */
    public XskStatistics statistics(XskStatistics out) throws ErrnoException {
        statsLen.set(ValueLayout.JAVA_INT, 0, XdpAbi.STATISTICS_SIZE);
        if (Sys.LIBC.getsockopt(fd, XdpAbi.SOL_XDP, XdpAbi.XDP_STATISTICS, Sys.ptr(statsSeg), Sys.ptr(statsLen)) != 0) {
            throw new ErrnoException("getsockopt(XDP_STATISTICS)", Sys.errno(), null);
        }
        out.rxDropped = statsSeg.get(ValueLayout.JAVA_LONG, 0);
        out.rxInvalidDescs = statsSeg.get(ValueLayout.JAVA_LONG, 8);
        out.txInvalidDescs = statsSeg.get(ValueLayout.JAVA_LONG, 16);
        int len = statsLen.get(ValueLayout.JAVA_INT, 0);
        out.rxRingFull = len >= 32 ? statsSeg.get(ValueLayout.JAVA_LONG, 24) : 0;
        out.rxFillRingEmptyDescs = len >= 40 ? statsSeg.get(ValueLayout.JAVA_LONG, 32) : 0;
        out.txRingEmptyDescs = len >= 48 ? statsSeg.get(ValueLayout.JAVA_LONG, 40) : 0;
        return out;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Unmaps RX/TX and closes the fd. A socket whose fd anchors a fill/completion pair other sockets
     * still share keeps that fd open until the last of them closes; the UMEM's registration fd
     * stays open until {@link Umem#close()}.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (rxMap != 0) {
            Sys.munmap(rxMap, rxLen);
        }
        if (txMap != 0) {
            Sys.munmap(txMap, txLen);
        }
        int closeFd = -1;
        int closeOwner = -1;
        synchronized (umem) {
            queue.refs--;
            boolean owner = queue.ownerFd == fd;
            boolean isUmemFd = fd == umem.fd();
            if (queue.refs == 0 && !queue.ownerIsUmemFd) {
                queue.unmap();
                umem.queues.values().remove(queue);
                closeOwner = queue.ownerFd;
            }
            if (!owner && !isUmemFd) {
                closeFd = fd;
            }
        }
        Sys.close(closeFd);
        Sys.close(closeOwner);
        umem.socketClosed();
    }
}
