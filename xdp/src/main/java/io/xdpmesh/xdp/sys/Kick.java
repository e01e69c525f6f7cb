package io.xdpmesh.xdp.sys;

import org.agrona.UnsafeApi;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The per-batch wake-up syscalls. They must allocate nothing in every JIT tier, not only once C2
 * has scalar-replaced temporaries: the FFM route with captureCallState("errno") allocates a
 * segment slice per call until C2 compiles the caller (seen here after a recompilation in the
 * steady state), so this goes through jnr-ffi with four integer arguments (send/recv, never the
 * sixth argument jnr/jnr-ffi#181 corrupts), and jffi saves errno natively right after the call.
 * One instance per socket; the errno read is per thread.
 * <p>
 * Binding cost, measured here (perf issue 4, send(2) on a non-socket fd, pinned core, 2M calls,
 * 4 interleaved rounds): jnr-ffi 144-199 ns, a plain FFM downcall without errno 129-216 ns, FFM
 * with captureCallState 126-187 ns: the binding differences (a few ns) are inside the round-to-round
 * noise of the syscall itself, and a real TX kick on veth costs tens of microseconds (it delivers up
 * to 32 frames inside sendto). Both FFM variants allocated in their first, not yet C2-compiled
 * round (237 KB and 612 KB per 2M calls); jnr-ffi allocated 12 KB once (first-call linkage). So the
 * kick stays on jnr-ffi: no speed to gain, and no allocation in any JIT tier.
 */
public final class Kick {
    /** send/recv on a socket; buffers as raw addresses so a call passes only primitives. */
    public interface WakeLib {
        @SaveError @ssize_t long send(int fd, long buf, @size_t long len, int flags);

        @SaveError @ssize_t long recv(int fd, long buf, @size_t long len, int flags);

        @SaveError int poll(long fds, long nfds, int timeoutMs);
    }

    private static final WakeLib LIB = LibraryLoader.create(WakeLib.class).load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(LIB);

    private final int fd;
    /** struct pollfd (int fd, short events, short revents): memory held by pollfdMemory. */
    private final Pointer pollfdMemory;
    private final long pollfd;

    public Kick(int fd) {
        this.fd = fd;
        this.pollfdMemory = Memory.allocateDirect(RUNTIME, 8, true);
        this.pollfd = pollfdMemory.address();
    }

    /**
     * TX kick: send(fd, NULL, 0, MSG_DONTWAIT), what libxdp does with sendto. Returns 0, or the
     * errno. EAGAIN, EBUSY, ENOBUFS and ENETDOWN mean "try again on the next batch" (as libxdp).
     */
    public int tx() {
        return LIB.send(fd, 0L, 0L, XdpAbi.MSG_DONTWAIT) >= 0 ? 0 : RUNTIME.getLastError();
    }

    /** RX/fill wake-up: recv(fd, NULL, 0, MSG_DONTWAIT). Returns 0 or the errno. */
    public int rx() {
        return LIB.recv(fd, 0L, 0L, XdpAbi.MSG_DONTWAIT) >= 0 ? 0 : RUNTIME.getLastError();
    }

    /** poll(POLLIN|POLLOUT as asked) with a timeout in ms; returns the revents, 0 on timeout, or -errno. */
    public int poll(short events, int timeoutMs) {
        UnsafeApi.putInt(pollfd, fd);
        UnsafeApi.putShort(pollfd + 4, events);
        UnsafeApi.putShort(pollfd + 6, (short) 0);
        int r = LIB.poll(pollfd, 1L, timeoutMs);
        if (r < 0) {
            return -RUNTIME.getLastError();
        }
        return r == 0 ? 0 : UnsafeApi.getShort(pollfd + 6) & 0xffff;
    }

    public static final short POLLIN = 1;
    public static final short POLLOUT = 4;
}
