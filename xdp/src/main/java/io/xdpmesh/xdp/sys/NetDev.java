package io.xdpmesh.xdp.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Interface facts in the calling thread's network namespace (which is what netlink, bind and the
 * BPF attach use; /sys may show another namespace, so it is only a cross-checked fallback).
 */
public final class NetDev {
    public static final int IFNAMSIZ = 16;
    private static final int AF_INET = 2, SOCK_DGRAM = 2;
    private static final long SIOCETHTOOL = 0x8946;
    private static final int ETHTOOL_GCHANNELS = 0x3c;

    /** Queue counts; -1 where unknown. AF_XDP binds to a queue id below both. */
    public record Queues(int rx, int tx) {
        /** Queue ids 0..n-1 exist for both directions; -1 when unknown. */
        public int usable() {
            return rx < 0 || tx < 0 ? Math.max(rx, tx) : Math.min(rx, tx);
        }
    }

    private NetDev() {}

    public static boolean validName(String name) {
        return name != null && !name.isEmpty() && name.length() < IFNAMSIZ;
    }

    /** The ifindex, or 0 when there is no such interface (errno then in {@link Sys#errno()}). */
    public static int ifindexOrZero(String name) {
        return validName(name) ? Sys.LIBC.if_nametoindex(name) : 0;
    }

    /** rx/tx queue counts: ethtool's channel counts, else /sys/class/net when /sys shows this namespace. */
    public static Queues queues(String name, int ifindex) {
        Queues q = queuesEthtool(name);
        return q != null ? q : queuesSysfs(name, ifindex);
    }

    static Queues queuesEthtool(String name) {
        int fd = Sys.LIBC.socket(AF_INET, SOCK_DGRAM, 0);
        if (fd < 0) {
            return null;
        }
        try {
            // struct ethtool_channels: cmd, max_rx, max_tx, max_other, max_combined, rx, tx, other, combined
            Pointer channels = Memory.allocateDirect(Sys.RUNTIME, 36, true);
            channels.putInt(0, ETHTOOL_GCHANNELS);
            Pointer ifr = Memory.allocateDirect(Sys.RUNTIME, 40, true);
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            ifr.put(0, n, 0, Math.min(n.length, IFNAMSIZ - 1));
            ifr.putPointer(IFNAMSIZ, channels);
            if (Sys.LIBC.ioctl(fd, SIOCETHTOOL, ifr) != 0) {
                return null;
            }
            int combined = channels.getInt(32);
            int rx = channels.getInt(20) + combined;
            int tx = channels.getInt(24) + combined;
            return rx > 0 || tx > 0 ? new Queues(rx > 0 ? rx : -1, tx > 0 ? tx : -1) : null;
        } finally {
            Sys.LIBC.close(fd);
        }
    }

    static Queues queuesSysfs(String name, int ifindex) {
        Path dir = Path.of("/sys/class/net", name);
        try {
            if (Integer.parseInt(Files.readString(dir.resolve("ifindex")).strip()) != ifindex) {
                return new Queues(-1, -1); // /sys belongs to another network namespace
            }
            try (Stream<Path> q = Files.list(dir.resolve("queues"))) {
                long rx = 0;
                long tx = 0;
                for (Path p : (Iterable<Path>) q::iterator) {
                    String f = p.getFileName().toString();
                    rx += f.startsWith("rx-") ? 1 : 0;
                    tx += f.startsWith("tx-") ? 1 : 0;
                }
                return new Queues(rx > 0 ? (int) rx : -1, tx > 0 ? (int) tx : -1);
            }
        } catch (IOException | RuntimeException e) {
            return new Queues(-1, -1);
        }
    }
}
