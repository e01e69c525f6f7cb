package io.xdpmesh.dataplane.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * The few libc calls the dataplane's set-up and neighbour resolver need, through the FFM API:
 * interface MAC/MTU by ioctl and netlink sockets. Every call acts in the calling thread's network
 * namespace at the time the socket is made (set-up enters the node's namespace first).
 */
public final class LinkInfo {
    static final Linker LINKER = Linker.nativeLinker();
    static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    static final VarHandle ERRNO = CAPTURE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    static final MethodHandle SOCKET = down("socket", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    static final MethodHandle IOCTL = down("ioctl", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    static final MethodHandle CLOSE = down("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    static final MethodHandle SENDTO = down("sendto", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    static final MethodHandle RECV = down("recv", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    private static final long SIOCGIFMTU = 0x8921;
    private static final long SIOCGIFHWADDR = 0x8927;
    private static final long SIOCGIFINDEX = 0x8933;
    private static final long SIOCETHTOOL = 0x8946;
    private static final int ETHTOOL_GCHANNELS = 0x3c;

    private LinkInfo() {}

    private static MethodHandle down(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd,
                Linker.Option.captureCallState("errno"));
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** The interface's MAC as a 48-bit value. */
    public static long mac(String ifname) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment req = ifreq(a, ifname, SIOCGIFHWADDR);
            long v = 0;
            for (int i = 0; i < 6; i++) {
                v = (v << 8) | (req.get(ValueLayout.JAVA_BYTE, 18 + i) & 0xff);
            }
            return v;
        }
    }

    public static int mtu(String ifname) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            return ifreq(a, ifname, SIOCGIFMTU).get(ValueLayout.JAVA_INT, 16);
        }
    }

    public static int ifindex(String ifname) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            return ifreq(a, ifname, SIOCGIFINDEX).get(ValueLayout.JAVA_INT, 16);
        }
    }

    /**
     * Queues an AF_XDP socket can bind to: the channels both RX and TX have (ETHTOOL_GCHANNELS,
     * rx or tx plus combined; veth reports its real_num_rx/tx_queues). 1 when the driver does not
     * report channels. Read through the calling thread's network namespace (never /sys, which shows
     * the namespace it was mounted in).
     */
    public static int queues(String ifname) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ch = a.allocate(36, 8);
            ch.set(ValueLayout.JAVA_INT, 0, ETHTOOL_GCHANNELS);
            MemorySegment req;
            try {
                req = ifreq(a, ifname, SIOCETHTOOL, ch);
            } catch (IOException e) {
                if (e.getMessage().contains("errno 95")) {
                    return 1; // EOPNOTSUPP: no channel information, one queue is what is known to exist
                }
                throw e;
            }
            int rx = ch.get(ValueLayout.JAVA_INT, 20);
            int tx = ch.get(ValueLayout.JAVA_INT, 24);
            int combined = ch.get(ValueLayout.JAVA_INT, 32);
            return Math.max(1, Math.min(rx, tx) + combined);
        }
    }

    private static MemorySegment ifreq(Arena a, String ifname, long op) throws IOException {
        return ifreq(a, ifname, op, null);
    }

    private static MemorySegment ifreq(Arena a, String ifname, long op, MemorySegment data) throws IOException {
        byte[] name = ifname.getBytes(StandardCharsets.US_ASCII);
        if (name.length > 15) {
            throw new IOException("interface name too long: " + ifname);
        }
        MemorySegment state = a.allocate(CAPTURE);
        MemorySegment req = a.allocate(40, 8);
        MemorySegment.copy(name, 0, req, ValueLayout.JAVA_BYTE, 0, name.length);
        if (data != null) {
            req.set(ValueLayout.ADDRESS, 16, data);
        }
        try {
            int fd = (int) SOCKET.invokeExact(state, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new IOException("socket(AF_INET): errno " + errno(state));
            }
            try {
                int rc = (int) IOCTL.invokeExact(state, fd, op, req);
                if (rc != 0) {
                    throw new IOException("ioctl(" + ifname + ", 0x" + Long.toHexString(op) + "): errno "
                            + errno(state) + (errno(state) == 19 ? " (no such interface in this namespace)" : ""));
                }
            } finally {
                int ignored = (int) CLOSE.invokeExact(state, fd);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("ioctl on " + ifname, t);
        }
        return req;
    }
}
