package io.xdpmesh.xdp.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.xdpmesh.xdp.bpf.BpfFs;
import io.xdpmesh.xdp.bpf.XdpAttachment;
import io.xdpmesh.xdp.bpf.XdpLoader;
import io.xdpmesh.xdp.bpf.XdpRole;
import io.xdpmesh.xdp.sys.ErrnoException;
import io.xdpmesh.xdp.sys.NetNs;

/**
 * The one kernel-test fixture: private network namespaces and veth pairs named xm&lt;random4&gt;...,
 * 10.x (and fd00:) addresses that exist only inside them, and a private bpffs for pins.
 * {@link #close()} removes all of it, whatever state the test left.
 *
 * <p>{@link #pair(int, boolean)} builds the common shape: namespaces {@link #nsA} and {@link #nsB}
 * joined by {@link #vethA}/{@link #vethB}, addressed {@link #ipA}/{@link #ipB} (and v6). Side A is
 * where XDP goes. Other shapes use {@link #ns}, {@link #veth} and {@link #addr} directly.
 */
public final class KernelNet implements AutoCloseable {
    public final String prefix;
    public final int hi;
    public final int lo;
    public final String nsA;
    public final String nsB;
    public final String vethA;
    public final String vethB;
    public final String ipA;
    public final String ipB;
    public final String ip6A;
    public final String ip6B;
    private final List<String> namespaces = new ArrayList<>();
    private final List<AutoCloseable> owned = new ArrayList<>();
    private Path bpffs;

    public KernelNet() {
        int r = ThreadLocalRandom.current().nextInt(0x10000);
        prefix = String.format("xm%04x", r);
        hi = 100 + (r >> 8) % 100;
        lo = r & 0xff;
        nsA = prefix + "a";
        nsB = prefix + "b";
        vethA = prefix + "va";
        vethB = prefix + "vb";
        ipA = ip(1);
        ipB = ip(2);
        ip6A = String.format("fd00:%x:%x::1", hi, lo);
        ip6B = String.format("fd00:%x:%x::2", hi, lo);
    }

    /**
     * nsA and nsB joined by vethA/vethB at {@code mtu}, with ipA/ipB; with {@code ipv6} also
     * ip6A/ip6B, else IPv6 is off in both (no router/neighbour solicitations: frame counts exact).
     */
    public static KernelNet pair(int mtu, boolean ipv6) throws IOException {
        KernelNet net = new KernelNet();
        try {
            net.ns("a", ipv6);
            net.ns("b", ipv6);
            sh("ip link add " + net.vethA + " netns " + net.nsA + " mtu " + mtu + " type veth peer name "
                    + net.vethB + " netns " + net.nsB + " mtu " + mtu);
            net.addr(net.nsA, net.vethA, 1);
            net.addr(net.nsB, net.vethB, 2);
            if (ipv6) {
                sh("ip -n " + net.nsA + " addr add " + net.ip6A + "/64 dev " + net.vethA + " nodad");
                sh("ip -n " + net.nsB + " addr add " + net.ip6B + "/64 dev " + net.vethB + " nodad");
            }
            // Up only once addressed, so the IPv6 start-up chatter is over sooner.
            sh("ip -n " + net.nsA + " link set " + net.vethA + " up");
            sh("ip -n " + net.nsB + " link set " + net.vethB + " up");
            return net;
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
    }

    /** Creates namespace prefix+suffix with lo up and IPv6 off; returns its name. */
    public String ns(String suffix) throws IOException {
        return ns(suffix, false);
    }

    public String ns(String suffix, boolean ipv6) throws IOException {
        String name = prefix + suffix;
        sh("ip netns add " + name);
        namespaces.add(name);
        sh("ip -n " + name + " link set lo up");
        if (!ipv6) {
            sh("ip netns exec " + name
                    + " sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1");
        }
        return name;
    }

    /** A veth pair devA in nsA, devB in nsB, both up. */
    public void veth(String nsA, String devA, String nsB, String devB, int mtu) throws IOException {
        sh("ip link add " + devA + " netns " + nsA + " mtu " + mtu + " type veth peer name " + devB + " netns " + nsB
                + " mtu " + mtu);
        sh("ip -n " + nsA + " link set " + devA + " up");
        sh("ip -n " + nsB + " link set " + devB + " up");
    }

    /** 10.hi.lo.host */
    public String ip(int host) {
        return "10." + hi + "." + lo + "." + host;
    }

    public void addr(String ns, String dev, int host) throws IOException {
        sh("ip -n " + ns + " addr add " + ip(host) + "/24 dev " + dev);
    }

    public String mac(String ns, String dev) throws IOException {
        return sh("ip netns exec " + ns + " cat /sys/class/net/" + dev + "/address").trim();
    }

    /** A private bpffs for the loader's pins, mounted on first use (removed on close). */
    public Path bpffs() {
        if (bpffs == null) {
            bpffs = Path.of("/tmp", prefix + "-bpffs");
            BpfFs.mount(bpffs);
        }
        return bpffs;
    }

    /** Closes {@code resource} in {@link #close()}, before the namespaces go, last owned first. */
    public <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    /**
     * Attaches {@code role} to {@code dev} in {@code ns} (pins under this net's bpffs, agent named
     * after the namespace) and detaches it in {@link #close()} unless the test did already.
     */
    public XdpAttachment attach(String ns, String dev, XdpRole role) throws Exception {
        XdpAttachment att = in(ns, () -> XdpLoader.forAgent(bpffs(), ns + dev).attach(dev, role));
        own(() -> in(ns, () -> {
            try {
                att.detach();
            } catch (IllegalStateException alreadyClosed) {
                // the test detached it itself
            }
            return null;
        }));
        return att;
    }

    /** Moves this thread into {@code ns} until the returned handle is closed. */
    public NetNs enter(String ns) throws ErrnoException {
        return NetNs.enter(ns);
    }

    public interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    /** Runs {@code body} on this thread inside {@code ns}, then returns to the original namespace. */
    public <T> T in(String ns, ThrowingSupplier<T> body) throws Exception {
        try (NetNs in = NetNs.enter(ns)) {
            return body.get();
        }
    }

    /** {@link #in} namespace A (the XDP side). */
    public <T> T inA(ThrowingSupplier<T> body) throws Exception {
        return in(nsA, body);
    }

    public record Result(int exit, String out) {
    }

    /** Runs a shell command with a hard timeout; exit -1 when it had to be killed. */
    public static Result run(int timeoutSeconds, String cmd) throws IOException {
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

    /** Runs a shell command (60 s ceiling) and returns its output; throws when it fails. */
    public static String sh(String cmd) throws IOException {
        Result r = run(60, cmd);
        if (r.exit() != 0) {
            throw new IOException("`" + cmd + "` failed (" + r.exit() + "): " + r.out());
        }
        return r.out();
    }

    public Result inNs(String ns, int timeoutSeconds, String cmd) throws IOException {
        return run(timeoutSeconds, "ip netns exec " + ns + " " + cmd);
    }

    /**
     * Starts a listener on side A ({@code proto} "udp" or "tcp", port), waits (bounded) until it
     * listens, runs {@code send} and returns what the listener received within a few seconds.
     */
    public String receiveOnA(String proto, boolean v6, int port, String send) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", nsA, "timeout", "3", "nc", "-l", "-n"));
        if ("udp".equals(proto)) {
            cmd.addAll(List.of("-u", "-W", "1"));
        }
        if (v6) {
            cmd.add("-6");
        }
        cmd.add(Integer.toString(port));
        Process listener = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String ss = "ip netns exec " + nsA + " ss -Hn" + ("udp".equals(proto) ? "u" : "t") + "l sport = :" + port;
            for (int i = 0; i < 100 && run(5, ss).out().isBlank(); i++) {
                Thread.sleep(20);
            }
            Result sent = run(10, send);
            if (sent.exit() != 0) {
                throw new IOException("`" + send + "` failed: " + sent.out());
            }
            listener.waitFor(6, TimeUnit.SECONDS);
            return new String(listener.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            listener.destroyForcibly();
        }
    }

    public String udpToA(boolean v6, int port, String msg) throws Exception {
        String dst = v6 ? ip6A : ipA;
        return receiveOnA("udp", v6, port,
                "ip netns exec " + nsB + " bash -c 'echo " + msg + " > /dev/udp/" + dst + "/" + port + "'");
    }

    /** `ip -d link show` of the XDP side. */
    public String linkA() throws IOException {
        return sh("ip -n " + nsA + " -d link show dev " + vethA);
    }

    /** Open socket fds of this process ("socket:[inode]" links in /proc/self/fd). */
    public static long openSockets() throws IOException {
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

    /** Closes what the test handed to {@link #own}, then deletes every namespace (and with it the veths and attached programs) and the bpffs. */
    @Override
    public void close() {
        List<String> errors = new ArrayList<>();
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                errors.add(e.toString());
            }
        }
        owned.clear();
        for (String ns : namespaces) {
            try {
                Result r = run(30, "ip netns del " + ns);
                if (r.exit() != 0) {
                    errors.add("ip netns del " + ns + ": " + r.out());
                }
            } catch (IOException e) {
                errors.add(e.toString());
            }
        }
        namespaces.clear();
        if (bpffs != null) {
            try {
                BpfFs.unmount(bpffs);
                Files.deleteIfExists(bpffs);
            } catch (RuntimeException | IOException e) {
                errors.add(e.toString());
            }
            bpffs = null;
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("teardown: " + errors);
        }
    }
}
