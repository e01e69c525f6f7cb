package io.xdpmesh.xdp.sys;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import org.agrona.UnsafeApi;

/**
 * Blocking wait for an idle dataplane thread: poll(2) on its AF_XDP sockets (readable when a
 * socket's RX ring holds frames: the kernel wakes the waiter as XDP redirects into it) and on an
 * eventfd the control plane signals when it queues a command. An idle thread so sleeps with no CPU
 * and still wakes within microseconds of a packet or a command, where a timed park waits out its
 * period. Allocation-free per call; the fds stay owned by their sockets, the eventfd by this set.
 */
public final class PollSet implements AutoCloseable {
    /** The libc calls used here (jnr-ffi, primitive arguments only). */
    public interface PollLib {
        @SaveError int poll(long fds, long nfds, int timeoutMs);

        @SaveError int eventfd(int initval, int flags);

        @SaveError @ssize_t long write(int fd, long buf, @size_t long len);

        @SaveError @ssize_t long read(int fd, long buf, @size_t long len);

        @SaveError int close(int fd);
    }

    private static final PollLib LIB = LibraryLoader.create(PollLib.class).load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(LIB);
    private static final int EFD_NONBLOCK = 04000;
    private static final int EFD_CLOEXEC = 02000000;
    private static final short POLLIN = 1;

    private final int capacity;
    /** Entries in use: the eventfd (entry 0) and the sockets after it. Waiting thread only. */
    private int n;
    private long failures;
    private final int eventFd;
    private final Pointer fdsMemory;
    private final long fds;
    private final Pointer oneMemory;
    private final long one;
    private final Pointer drainMemory;
    private final long drain;
    private volatile boolean closed;

    /** A set over {@code socketFds} plus a new eventfd. */
    public PollSet(int[] socketFds) {
        this(socketFds, socketFds.length);
    }

    /** A set over {@code socketFds} plus a new eventfd, with room for {@code maxSockets} sockets. */
    public PollSet(int[] socketFds, int maxSockets) {
        if (maxSockets < socketFds.length) {
            throw new IllegalArgumentException("maxSockets " + maxSockets + " < " + socketFds.length);
        }
        int efd = LIB.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (efd < 0) {
            throw new IllegalStateException("eventfd: errno " + RUNTIME.getLastError());
        }
        this.eventFd = efd;
        this.capacity = maxSockets + 1;
        this.fdsMemory = Memory.allocateDirect(RUNTIME, 8 * capacity, true);
        this.fds = fdsMemory.address();
        this.n = 1;
        UnsafeApi.putInt(fds, efd);
        UnsafeApi.putShort(fds + 4, POLLIN);
        for (int fd : socketFds) {
            add(fd);
        }
        this.oneMemory = Memory.allocateDirect(RUNTIME, 8, true);
        this.one = oneMemory.address();
        UnsafeApi.putLong(one, 1L);
        this.drainMemory = Memory.allocateDirect(RUNTIME, 8, true);
        this.drain = drainMemory.address();
    }

    /** Waits on {@code fd} too (a socket added at runtime). The waiting thread only; false when full. */
    public boolean add(int fd) {
        if (n == capacity) {
            return false;
        }
        UnsafeApi.putInt(fds + 8L * n, fd);
        UnsafeApi.putShort(fds + 8L * n + 4, POLLIN);
        n++;
        return true;
    }

    /**
     * Stops waiting on {@code fd}, before its socket is closed (a closed fd would make every poll
     * return at once). The waiting thread only.
     */
    public void remove(int fd) {
        for (int i = 1; i < n; i++) {
            if (UnsafeApi.getInt(fds + 8L * i) == fd) {
                n--;
                UnsafeApi.putInt(fds + 8L * i, UnsafeApi.getInt(fds + 8L * n));
                return;
            }
        }
    }

    /** Sockets waited on now (for tests and status). */
    public int sockets() {
        return n - 1;
    }

    /**
     * Waits until a socket is readable, the eventfd was signalled, or {@code timeoutMs} passed.
     * Returns the number of ready entries (0 on timeout and on a failed poll, which
     * {@link #failures} counts: EINTR from a signal, e.g. a profiler's). Branch-free on the result
     * on purpose: a failure branch never taken during warm-up was compiled as an uncommon trap, and
     * the first EINTR deoptimized the dataplane thread's idle path and allocated (seen in perf/run
     * forward under JFR). The eventfd is reset here, so one signal wakes one wait.
     */
    public int await(int timeoutMs) {
        for (int i = 0; i < n; i++) {
            UnsafeApi.putShort(fds + 8L * i + 6, (short) 0);
        }
        int r = LIB.poll(fds, n, timeoutMs);
        failures += r >>> 31;
        int ready = r & ~(r >> 31);
        if (ready > 0 && (UnsafeApi.getShort(fds + 6) & POLLIN) != 0) {
            LIB.read(eventFd, drain, 8); // non-blocking; resets the counter
        }
        return ready;
    }

    /** Polls that failed (returned -1) so far; the waiting thread's count, read racily by others. */
    public long failures() {
        return failures;
    }

    /**
     * Any thread (control paths only: one write(2)): wakes the waiter now, or its next wait returns
     * at once. Synchronized with {@link #close} so a late signal never writes to a reused fd number.
     */
    public synchronized void signal() {
        if (!closed) {
            LIB.write(eventFd, one, 8);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            LIB.close(eventFd);
        }
    }
}
