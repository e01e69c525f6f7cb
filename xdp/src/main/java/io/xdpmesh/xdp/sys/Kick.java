package io.xdpmesh.xdp.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The per-batch wake-up syscalls through the JDK's FFM API: a downcall here costs a few ns
 * (jnr-ffi about twice that) and errno lands in a preallocated segment, so a kick allocates
 * nothing. One instance per socket and per thread that kicks.
 */
public final class Kick {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SENDTO;
    private static final MethodHandle RECVFROM;
    private static final MethodHandle POLL;

    static {
        var lookup = LINKER.defaultLookup();
        var capture = Linker.Option.captureCallState("errno");
        SENDTO = LINKER.downcallHandle(lookup.find("sendto").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
                capture);
        RECVFROM = LINKER.downcallHandle(lookup.find("recvfrom").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS),
                capture);
        POLL = LINKER.downcallHandle(lookup.find("poll").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_INT),
                capture);
    }

    private final int fd;
    private final MemorySegment state;
    private final MemorySegment pollfd;

    public Kick(int fd) {
        this.fd = fd;
        Arena arena = Arena.ofAuto();
        this.state = arena.allocate(CAPTURE);
        this.pollfd = arena.allocate(8, 8);
    }

    /**
     * TX kick: sendto(fd, NULL, 0, MSG_DONTWAIT). Returns 0, or the errno. EAGAIN, EBUSY, ENOBUFS
     * and ENETDOWN mean "try again on the next batch" (as libxdp treats them).
     */
    public int tx() {
        try {
            long r = (long) SENDTO.invokeExact(state, fd, MemorySegment.NULL, 0L, XdpAbi.MSG_DONTWAIT,
                    MemorySegment.NULL, 0);
            return r >= 0 ? 0 : errno();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** RX/fill wake-up: recvfrom(fd, NULL, 0, MSG_DONTWAIT). Returns 0 or the errno. */
    public int rx() {
        try {
            long r = (long) RECVFROM.invokeExact(state, fd, MemorySegment.NULL, 0L, XdpAbi.MSG_DONTWAIT,
                    MemorySegment.NULL, MemorySegment.NULL);
            return r >= 0 ? 0 : errno();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** poll(POLLIN|POLLOUT as asked) with a timeout in ms; returns the revents, 0 on timeout, or -errno. */
    public int poll(short events, int timeoutMs) {
        pollfd.set(ValueLayout.JAVA_INT, 0, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, 4, events);
        pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        try {
            int r = (int) POLL.invokeExact(state, pollfd, 1L, timeoutMs);
            if (r < 0) {
                return -errno();
            }
            return r == 0 ? 0 : pollfd.get(ValueLayout.JAVA_SHORT, 6) & 0xffff;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private int errno() {
        return (int) ERRNO.get(state, 0L);
    }

    public static final short POLLIN = 1;
    public static final short POLLOUT = 4;
}
