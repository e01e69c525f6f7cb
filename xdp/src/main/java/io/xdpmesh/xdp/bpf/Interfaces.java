package io.xdpmesh.xdp.bpf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Interface facts in the calling thread's network namespace (which is what netlink and the BPF
 * attach use; /sys may show another namespace, so it is only a cross-checked fallback).
 */
public final class Interfaces {
    private static final int AF_INET = 2, SOCK_DGRAM = 2, IFNAMSIZ = 16;
    private static final long SIOCETHTOOL = 0x8946;
    private static final int ETHTOOL_GCHANNELS = 0x3c;

    private Interfaces() {}

    /** The ifindex, or {@link BpfException.Reason#NO_SUCH_INTERFACE}. */
    public static int ifindex(String name) {
        if (name == null || name.isEmpty() || name.length() >= IFNAMSIZ) {
            throw new BpfException(BpfException.Reason.NO_SUCH_INTERFACE, 0,
                    "'" + name + "' is not a valid interface name (1 to 15 characters)");
        }
        int idx = Native.libc().if_nametoindex(name);
        if (idx == 0) {
            throw BpfErrors.of(BpfErrors.Op.INTERFACE, Errno.ENODEV, "'" + name + "'");
        }
        return idx;
    }

    /**
     * Number of rx queues (AF_XDP queue ids are 0..n-1): ethtool's channel counts, else
     * /sys/class/net/&lt;if&gt;/queues when /sys shows this namespace; -1 when neither tells.
     */
    public static int rxQueues(String name, int ifindex) {
        int n = rxQueuesEthtool(name);
        return n > 0 ? n : rxQueuesSysfs(name, ifindex);
    }

    static int rxQueuesEthtool(String name) {
        var libc = Native.libc();
        int fd = libc.socket(AF_INET, SOCK_DGRAM, 0);
        if (fd < 0) {
            return -1;
        }
        try {
            Pointer channels = Memory.allocateDirect(Native.runtime(), 36, true);
            channels.putInt(0, ETHTOOL_GCHANNELS);
            Pointer ifr = Memory.allocateDirect(Native.runtime(), 40, true);
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            ifr.put(0, n, 0, n.length);
            ifr.putPointer(IFNAMSIZ, channels);
            if (libc.ioctl(fd, SIOCETHTOOL, ifr) != 0) {
                return -1;
            }
            return channels.getInt(20) + channels.getInt(32); // rx_count + combined_count
        } finally {
            libc.close(fd);
        }
    }

    static int rxQueuesSysfs(String name, int ifindex) {
        Path dir = Path.of("/sys/class/net", name);
        try {
            if (Integer.parseInt(Files.readString(dir.resolve("ifindex")).strip()) != ifindex) {
                return -1; // /sys belongs to another network namespace
            }
            try (Stream<Path> q = Files.list(dir.resolve("queues"))) {
                long n = q.filter(p -> p.getFileName().toString().startsWith("rx-")).count();
                return n > 0 ? (int) n : -1;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
