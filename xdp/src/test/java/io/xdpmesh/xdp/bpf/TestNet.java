package io.xdpmesh.xdp.bpf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;

/**
 * Two private network namespaces joined by a veth pair, plus a private bpffs mount, all named
 * xm&lt;random4&gt;...; removed by {@link #close()}. Side A (10.R.S.1, fdxm:R:S::1) is where XDP goes.
 */
final class TestNet implements AutoCloseable {
    public interface Sys {
        @SaveError int open(String path, int flags);
        @SaveError int setns(int fd, int nstype);
        int close(int fd);
    }

    private static final Sys SYS = LibraryLoader.create(Sys.class).load("c");
    private static final int O_RDONLY = 0, CLONE_NEWNET = 0x40000000;

    final String prefix;
    final String nsA, nsB, vethA, vethB;
    final String ipA, ipB, ip6A, ip6B;
    final Path bpffs;
    private boolean bpffsMounted;

    TestNet() throws IOException {
        this(1500);
    }

    TestNet(int mtu) throws IOException {
        int r = ThreadLocalRandom.current().nextInt(0x10000);
        prefix = String.format("xm%04x", r);
        nsA = prefix + "a";
        nsB = prefix + "b";
        vethA = prefix + "va";
        vethB = prefix + "vb";
        int hi = 100 + (r >> 8) % 100, lo = r & 0xff;
        ipA = "10." + hi + "." + lo + ".1";
        ipB = "10." + hi + "." + lo + ".2";
        ip6A = String.format("fd00:%x:%x::1", hi, lo);
        ip6B = String.format("fd00:%x:%x::2", hi, lo);
        bpffs = Path.of("/tmp", prefix + "-bpffs");
        try {
            sh("ip netns add " + nsA);
            sh("ip netns add " + nsB);
            sh("ip link add " + vethA + " netns " + nsA + " mtu " + mtu + " type veth peer name " + vethB
                    + " netns " + nsB + " mtu " + mtu);
            for (String[] s : new String[][] {{nsA, vethA, ipA, ip6A}, {nsB, vethB, ipB, ip6B}}) {
                sh("ip -n " + s[0] + " link set lo up");
                sh("ip -n " + s[0] + " addr add " + s[2] + "/24 dev " + s[1]);
                sh("ip -n " + s[0] + " addr add " + s[3] + "/64 dev " + s[1] + " nodad");
                sh("ip -n " + s[0] + " link set " + s[1] + " up");
            }
            BpfFs.mount(bpffs);
            bpffsMounted = true;
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Runs {@code body} on this thread inside namespace A (the XDP side), then returns to the original namespace. */
    <T> T inA(ThrowingSupplier<T> body) throws Exception {
        int self = SYS.open("/proc/thread-self/ns/net", O_RDONLY);
        int target = SYS.open("/run/netns/" + nsA, O_RDONLY);
        if (self < 0 || target < 0) {
            throw new IllegalStateException("cannot open netns files");
        }
        try {
            if (SYS.setns(target, CLONE_NEWNET) != 0) {
                throw new IllegalStateException("setns failed");
            }
            try {
                return body.get();
            } finally {
                if (SYS.setns(self, CLONE_NEWNET) != 0) {
                    throw new IllegalStateException("cannot return to the original netns");
                }
            }
        } finally {
            SYS.close(self);
            SYS.close(target);
        }
    }

    interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    record Result(int exit, String out) {}

    /** Runs a shell command with a hard timeout; returns exit code and combined output. */
    static Result run(int timeoutSeconds, String cmd) throws IOException {
        Process p = new ProcessBuilder("sh", "-c", cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return new Result(-1, new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    static String sh(String cmd) throws IOException {
        Result r = run(30, cmd);
        if (r.exit != 0) {
            throw new IOException("`" + cmd + "` failed (" + r.exit + "): " + r.out);
        }
        return r.out;
    }

    Result inNs(String ns, int timeoutSeconds, String cmd) throws IOException {
        return run(timeoutSeconds, "ip netns exec " + ns + " " + cmd);
    }

    /**
     * Starts a listener on side A ({@code proto} "udp" or "tcp", port), waits (bounded) until it
     * listens, runs {@code send} and returns what the listener received within a few seconds.
     */
    String receiveOnA(String proto, boolean v6, int port, String send) throws Exception {
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

    String udpToA(boolean v6, int port, String msg) throws Exception {
        String dst = v6 ? ip6A : ipA;
        return receiveOnA("udp", v6, port,
                "ip netns exec " + nsB + " bash -c 'echo " + msg + " > /dev/udp/" + dst + "/" + port + "'");
    }

    /** `ip link show` of the XDP side. */
    String linkA() throws IOException {
        return sh("ip -n " + nsA + " -d link show dev " + vethA);
    }

    @Override
    public void close() {
        List<String> errors = new ArrayList<>();
        if (bpffsMounted) {
            try {
                BpfFs.unmount(bpffs);
            } catch (RuntimeException e) {
                errors.add(e.toString());
            }
        }
        bpffs.toFile().delete();
        for (String ns : new String[] {nsA, nsB}) {
            try {
                run(30, "ip netns del " + ns + " 2>/dev/null");
            } catch (IOException e) {
                errors.add(e.toString());
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("teardown: " + errors);
        }
    }
}
