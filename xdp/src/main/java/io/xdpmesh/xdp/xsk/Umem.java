package io.xdpmesh.xdp.xsk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

import org.agrona.concurrent.UnsafeBuffer;

import io.xdpmesh.xdp.sys.Errno;
import io.xdpmesh.xdp.sys.ErrnoException;
import io.xdpmesh.xdp.sys.Sys;
import io.xdpmesh.xdp.sys.XdpAbi;

/**
 * Packet memory shared with the kernel: anonymous mmap'ed frames registered (XDP_UMEM_REG) on an
 * AF_XDP socket. Frames are addressed by their offset in the UMEM ("UMEM address"), which is what
 * the rings carry. One UMEM can serve several sockets ({@link XskSocket} with XDP_SHARED_UMEM);
 * each (interface, queue) it is bound to gets its own fill/completion ring pair.
 */
public final class Umem implements AutoCloseable {
    private final UmemConfig config;
    private final long address;
    private final MemorySegment segment;
    private final UnsafeBuffer buffer;
    private final FrameStack frames;
    private int fd;
    private boolean fdTaken;
    private int openSockets;
    private boolean closed;
    /** Fill/completion ring pairs by (ifindex, queue). */
    final Map<Long, QueueRings> queues = new HashMap<>();

    private Umem(UmemConfig config, long address, int fd) {
        this.config = config;
        this.address = address;
        this.fd = fd;
        this.segment = MemorySegment.ofAddress(address).reinterpret(config.bytes());
        this.buffer = new UnsafeBuffer(address, (int) Math.min(config.bytes(), Integer.MAX_VALUE));
        this.frames = new FrameStack(config.frameCount(), config.frameSize());
    }

    /** Maps the frames and registers them with the kernel on a fresh AF_XDP socket. */
    public static Umem create(UmemConfig config) throws ErrnoException {
        int flags = XdpAbi.MAP_PRIVATE | XdpAbi.MAP_ANONYMOUS | XdpAbi.MAP_POPULATE
                | (config.hugepages() ? XdpAbi.MAP_HUGETLB : 0);
        long len = config.bytes();
        if (config.hugepages()) {
            len = (len + (2L << 20) - 1) & ~((2L << 20) - 1);
        }
        long addr = Sys.mmap(len, XdpAbi.PROT_READ | XdpAbi.PROT_WRITE, flags, -1, 0, "UMEM");
        int fd = -1;
        try {
            fd = XskSocket.newSocket();
            register(fd, addr, config);
            return new Umem(config, addr, fd);
        } catch (ErrnoException | RuntimeException e) {
            Sys.close(fd);
            Sys.munmap(addr, len);
            throw e;
        }
    }

    private static void register(int fd, long addr, UmemConfig config) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment reg = a.allocate(XdpAbi.UMEM_REG_SIZE, 8);
            reg.set(ValueLayout.JAVA_LONG, 0, addr);
            reg.set(ValueLayout.JAVA_LONG, 8, config.bytes());
            reg.set(ValueLayout.JAVA_INT, 16, config.frameSize());
            reg.set(ValueLayout.JAVA_INT, 20, config.headroom());
            if (Sys.LIBC.setsockopt(fd, XdpAbi.SOL_XDP, XdpAbi.XDP_UMEM_REG, Sys.ptr(reg),
                    XdpAbi.UMEM_REG_SIZE) != 0) {
                int e = Sys.errno();
                throw new ErrnoException("setsockopt(XDP_UMEM_REG, " + config.frameCount() + " x "
                        + config.frameSize() + " B, headroom " + config.headroom() + ")", e, switch (e) {
                            case Errno.ENOBUFS, Errno.ENOMEM -> "cannot pin the UMEM: RLIMIT_MEMLOCK too low "
                                    + "or out of memory";
                            case Errno.EINVAL -> "bad UMEM shape (frame size, headroom or length)";
                            case Errno.EPERM -> "needs CAP_IPC_LOCK or a higher RLIMIT_MEMLOCK";
                            default -> null;
                        });
            }
        }
    }

    /**
     * The first socket failed after configuring rings on the registration fd, which can then never
     * be bound with other ring sizes: register the same memory on a fresh fd.
     */
    synchronized void replaceRegistrationFd() throws ErrnoException {
        int nfd = XskSocket.newSocket();
        try {
            register(nfd, address, config);
        } catch (ErrnoException e) {
            Sys.close(nfd);
            throw e;
        }
        queues.values().removeIf(q -> {
            if (q.ownerIsUmemFd) {
                q.unmap();
                return true;
            }
            return false;
        });
        Sys.close(fd);
        fd = nfd;
        fdTaken = false;
    }

    public UmemConfig config() {
        return config;
    }

    /** Virtual address of frame 0. */
    public long address() {
        return address;
    }

    /** The whole UMEM as a segment; slice it with a UMEM address and a length. */
    public MemorySegment segment() {
        return segment;
    }

    /** The whole UMEM as an Agrona buffer; index = UMEM address (first 2 GiB). */
    public UnsafeBuffer buffer() {
        return buffer;
    }

    /** The free-frame allocator over all frames; owned by one thread. */
    public FrameStack frames() {
        return frames;
    }

    public int frameSize() {
        return config.frameSize();
    }

    public int frameCount() {
        return config.frameCount();
    }

    /** The registration socket's fd (the XDP_SHARED_UMEM anchor). */
    public int fd() {
        return fd;
    }

    /** The first socket bound on this UMEM uses the registration fd itself (as libxdp does). */
    synchronized int takeRegistrationFd() {
        ensureOpen();
        openSockets++;
        if (fdTaken) {
            return -1;
        }
        fdTaken = true;
        return fd;
    }

    synchronized void socketClosed() {
        openSockets--;
    }

    synchronized boolean registrationFdTaken() {
        return fdTaken;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("UMEM closed");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (openSockets > 0) {
            throw new IllegalStateException("UMEM still has " + openSockets + " open socket(s): close them first");
        }
        closed = true;
        for (QueueRings q : queues.values()) {
            q.unmap();
        }
        queues.clear();
        Sys.close(fd);
        fd = -1;
        long len = config.bytes();
        if (config.hugepages()) {
            len = (len + (2L << 20) - 1) & ~((2L << 20) - 1);
        }
        Sys.munmap(address, len);
    }
}
