package io.xdpmesh.perf.gen;

import java.net.InetAddress;
import java.util.Set;

import io.xdpmesh.perf.cli.Args;
import io.xdpmesh.perf.cli.LinkInfo;
import io.xdpmesh.xdp.xsk.loop.Frames;

/** The generator's command line (see {@link #USAGE}); validated before any socket is made. */
public record GeneratorOptions(String dev, int queue, String netns, long srcMac, long dstMac, InetAddress src,
        InetAddress dst, int sport, int dport, int flows, int size, long count, double seconds, long rate, int batch) {

    public static final String USAGE = """
            usage: generator --dev IF --dst-mac MAC --src-ip ADDR --dst-ip ADDR [options]
              AF_XDP TX-only UDP generator (copy mode, need_wakeup); never allocates in its send loop.
              --dev IF           interface to send on (required)
              --queue N          TX queue (default 0)
              --netns NAME       make the socket in network namespace /run/netns/NAME
              --src-mac MAC      source MAC (default: the interface's own)
              --dst-mac MAC      destination MAC (required)
              --src-ip ADDR      source address, IPv4 or IPv6 (required)
              --dst-ip ADDR      destination address, same family (required)
              --sport P          first UDP source port (default 10000)
              --dport P          UDP destination port (default 9)
              --flows N          flows cycling source ports sport..sport+N-1 (default 1)
              --size B           frame length without FCS, 42/62 (v4/v6 headers) .. MTU+14 (default 64)
              --count N          packets to send (default: unlimited within --seconds)
              --seconds S        run at most S seconds (default 10, at most 3600)
              --rate PPS         packets per second (default 0: flat out)
              --batch N          descriptors per TX batch (default 64)
            prints "gen: sent=.. completed=.. secs=.. pps=.. mbps=.. loop-alloc-bytes=.. gc=..".
            """;

    static final Set<String> KNOWN = Set.of("dev", "queue", "netns", "src-mac", "dst-mac", "src-ip", "dst-ip", "sport",
            "dport", "flows", "size", "count", "seconds", "rate", "batch");

    public static GeneratorOptions parse(String[] argv) {
        return from(Args.parse(argv, KNOWN, Set.of()));
    }

    /** Reads the generator options out of already-parsed args (shared with the xsk benchmark's txonly). */
    public static GeneratorOptions from(Args a) {
        String dev = a.required("dev");
        String netns = a.str("netns", null);
        InetAddress src = ip(a.required("src-ip"));
        InetAddress dst = ip(a.required("dst-ip"));
        LinkInfo link = LinkInfo.of(netns, dev);
        long srcMac = Frames.parseMac(a.str("src-mac", link.mac()));
        long dstMac = Frames.parseMac(a.required("dst-mac"));
        int size = (int) a.num("size", 64, 42, 65535);
        int maxFrame = Math.min(link.mtu() + Frames.ETH_HLEN, 4096 - 256);
        if (size > maxFrame) {
            throw new IllegalArgumentException("--size " + size + " exceeds what " + dev + " can send: MTU "
                    + link.mtu() + " + 14 (and at most " + (4096 - 256) + " per frame here)");
        }
        return new GeneratorOptions(dev, (int) a.num("queue", 0, 0, 255), netns, srcMac, dstMac, src, dst,
                (int) a.num("sport", 10000, 1, 65535), (int) a.num("dport", 9, 0, 65535),
                (int) a.num("flows", 1, 1, 65535), size, a.num("count", Long.MAX_VALUE, 1, Long.MAX_VALUE),
                a.real("seconds", 10, 0.1, 3600), a.num("rate", 0, 0, 1_000_000_000L),
                (int) a.num("batch", 64, 1, 2048));
    }

    private static InetAddress ip(String s) {
        try {
            return InetAddress.ofLiteral(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IP address literal: " + s);
        }
    }

    public UdpFlows packets() {
        return new UdpFlows(srcMac, dstMac, src, dst, sport, dport, flows, size);
    }
}
