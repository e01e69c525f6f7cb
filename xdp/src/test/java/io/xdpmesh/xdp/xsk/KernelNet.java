package io.xdpmesh.xdp.xsk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.xdpmesh.xdp.bpf.BpfFs;
import io.xdpmesh.xdp.sys.NetNs;

/**
 * Private network namespaces and veth pairs for one test, all named xm&lt;random4&gt;..., with
 * 10.x addresses that exist only inside them; {@link #close()} removes everything, whatever
 * state the test left.
 */
final class KernelNet implements AutoCloseable {
    final String prefix;
    final int hi;
    final int lo;
    private final List<String> namespaces = new ArrayList<>();
    private Path bpffs;

    KernelNet() {
        int r = ThreadLocalRandom.current().nextInt(0x10000);
        prefix = String.format("xm%04x", r);
        hi = 100 + (r >> 8) % 100;
        lo = r & 0xff;
    }

    /** Creates namespace prefix+suffix with lo up; returns its name. */
    String ns(String suffix) throws IOException {
        String name = prefix + suffix;
        sh("ip netns add " + name);
        namespaces.add(name);
        sh("ip -n " + name + " link set lo up");
        // No IPv6 chatter (router/neighbour solicitations, MLD): frame counts stay exact.
        sh("ip netns exec " + name + " sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1");
        return name;
    }

    /** A veth pair devA in nsA, devB in nsB, both up. */
    void veth(String nsA, String devA, String nsB, String devB, int mtu) throws IOException {
        sh("ip link add " + devA + " netns " + nsA + " mtu " + mtu + " type veth peer name " + devB + " netns " + nsB
                + " mtu " + mtu);
        sh("ip -n " + nsA + " link set " + devA + " up");
        sh("ip -n " + nsB + " link set " + devB + " up");
    }

    /** 10.hi.lo.host */
    String ip(int host) {
        return "10." + hi + "." + lo + "." + host;
    }

    void addr(String ns, String dev, int host) throws IOException {
        sh("ip -n " + ns + " addr add " + ip(host) + "/24 dev " + dev);
    }

    String mac(String ns, String dev) throws IOException {
        return sh("ip netns exec " + ns + " cat /sys/class/net/" + dev + "/address").trim();
    }

    /** A private bpffs for the loader's pins (removed on close). */
    Path bpffs() {
        if (bpffs == null) {
            bpffs = Path.of("/tmp", prefix + "-bpffs");
            BpfFs.mount(bpffs);
        }
        return bpffs;
    }

    NetNs enter(String ns) throws IOException {
        return NetNs.enter(ns);
    }

    @Override
    public void close() {
        for (String ns : namespaces) {
            try {
                run(30, "ip netns del " + ns);
            } catch (IOException e) {
                // keep removing the others
            }
        }
        namespaces.clear();
        if (bpffs != null) {
            try {
                BpfFs.unmount(bpffs);
                Files.deleteIfExists(bpffs);
            } catch (RuntimeException | IOException e) {
                // best effort
            }
            bpffs = null;
        }
    }

    record Result(int exit, String out) {
    }

    static Result run(int timeoutSeconds, String cmd) throws IOException {
        Path out = Files.createTempFile("xm-cmd", ".out");
        try {
            Process p = new ProcessBuilder("sh", "-c", cmd).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            int exit;
            try {
                if (p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    exit = p.exitValue();
                } else {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    exit = -1;
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            return new Result(exit, Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static String sh(String cmd) throws IOException {
        Result r = run(60, cmd);
        if (r.exit() != 0) {
            throw new IOException("`" + cmd + "` failed (" + r.exit() + "): " + r.out());
        }
        return r.out();
    }

    /** Open socket fds of this process ("socket:[inode]" links in /proc/self/fd). */
    static long openSockets() throws IOException {
        long n = 0;
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    if (Files.readSymbolicLink(p).toString().startsWith("socket:")) {
                        n++;
                    }
                } catch (IOException e) {
                    // fd closed meanwhile
                }
            }
        }
        return n;
    }
}
