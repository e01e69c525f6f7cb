package io.xdpmesh.dataplane.engine;

import io.xdpmesh.crypto.aead.PacketMac;
import io.xdpmesh.crypto.transport.Keypair;
import io.xdpmesh.dataplane.cluster.ClusterConfig;
import io.xdpmesh.dataplane.cluster.ClusterFileParser;
import io.xdpmesh.dataplane.counters.DropReason;
import io.xdpmesh.dataplane.session.Aeads;
import io.xdpmesh.xdp.bpf.BpfFs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * 2 nodes x 2 pods from scripts/topology (private prefix), one dataplane per node namespace in
 * this JVM, and session installation through the dataplanes' command interface, as the agent
 * will do it. close() removes everything.
 */
final class TwoNodeMesh implements AutoCloseable {
    static final Path TOPOLOGY = Path.of("..", "scripts", "topology").toAbsolutePath().normalize();

    final String prefix;
    final int net;
    final Path dir;
    final Path clusterFile;
    ClusterConfig cluster;
    Path bpffs;
    Dataplane a;
    Dataplane b;
    final int threads;
    private final SecureRandom random = new SecureRandom();

    /** Pods at MTU 1420: every pod packet fits the tunnel (the large-frame mode has its own test). */
    TwoNodeMesh(String verdict, Duration pendingTimeout) throws IOException {
        this(verdict, pendingTimeout, "--pod-mtu 1420");
    }

    /** extraTopologyArgs: e.g. "--outer6" for an IPv6 tunnel between the nodes. */
    TwoNodeMesh(String verdict, Duration pendingTimeout, String extraTopologyArgs) throws IOException {
        this(verdict, pendingTimeout, extraTopologyArgs, "xm");
    }

    /** stem: the first two characters of every namespace and interface name (then 4 random hex digits). */
    TwoNodeMesh(String verdict, Duration pendingTimeout, String extraTopologyArgs, String stem) throws IOException {
        this(verdict, pendingTimeout, extraTopologyArgs, stem, 1);
    }

    /** threads: dataplane threads per node (give the topology "--queues threads" too). */
    TwoNodeMesh(String verdict, Duration pendingTimeout, String extraTopologyArgs, String stem, int threads)
            throws IOException {
        this.threads = threads;
        int r = ThreadLocalRandom.current().nextInt(0x10000);
        prefix = String.format("%s%04x", stem, r);
        net = 20 + r % 200;
        dir = Files.createTempDirectory(prefix);
        clusterFile = dir.resolve("cluster.yaml");
        boolean ok = false;
        try {
            Shell.sh(TOPOLOGY + " up --prefix " + prefix + " --nodes 2 --pods 2 --net " + net + " --verdict " + verdict
                    + " --cluster-file " + clusterFile
                    // "--direct": the uplinks are one veth pair (queue q on one side is queue q on the other)
                    + (extraTopologyArgs.contains("--direct") ? " " : " --bridge ")
                    + extraTopologyArgs.replace("--direct", ""));
            cluster = parse(Files.readString(clusterFile, StandardCharsets.UTF_8));
            bpffs = Path.of("/tmp", prefix + "-bpffs");
            BpfFs.mount(bpffs);
            a = Dataplane.start(config("n1", pendingTimeout), cluster);
            b = Dataplane.start(config("n2", pendingTimeout), cluster);
            ok = true;
        } finally {
            if (!ok) {
                close();
            }
        }
    }

    static ClusterConfig parse(String yaml) {
        try {
            return ClusterFileParser.parse(yaml, "cluster.yaml");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private DataplaneConfig config(String node, Duration pendingTimeout) throws IOException {
        return DataplaneConfig.forNode(node).netns(ns(node)).bpffs(bpffs, prefix + node)
                .stateDir(Files.createDirectories(dir.resolve(node))).pendingTimeout(pendingTimeout)
                .idle(IdleMode.BACKOFF).umemFrames(8192).threads(threads);
    }

    String ns(String node) {
        return prefix + node;
    }

    /** Namespace of pod j on node k. */
    String pod(int k, int j) {
        return prefix + "n" + k + "p" + j;
    }

    String v4(int k, int j) {
        return "10." + net + "." + k + "." + j;
    }

    String v6(int k, int j) {
        return "fd00:" + net + ":" + k + "::" + j;
    }

    String id(int k, int j) {
        return "spiffe://" + prefix + ".test/ns/default/sa/n" + k + "p" + j;
    }

    String uplink(int k) {
        return prefix + "u" + k;
    }

    /** The keys of one installed pair, so a test can forge traffic as the peer would send it. */
    record PairKeys(byte[] aToB, byte[] bToA, int indexA, int indexB) {}

    /** Installs the session for pod (1, ja) <-> pod (2, jb) on both dataplanes. */
    PairKeys install(int ja, int jb) {
        return install(ja, jb, Aeads::create);
    }

    /** The same with ciphers from a given factory. */
    PairKeys install(int ja, int jb, java.util.function.Function<byte[], io.xdpmesh.crypto.aead.PacketAead> aead) {
        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        random.nextBytes(k1);
        random.nextBytes(k2);
        int ia = random.nextInt() | 1;
        int ib = random.nextInt() | 1;
        long now = System.nanoTime();
        long expires = System.currentTimeMillis() + 600_000;
        Keypair ka = keypair(aead, k1, k2, ia, ib, now);
        Keypair kb = keypair(aead, k2, k1, ib, ia, now);
        // B first, as an agent's responder installs before it accepts: A releases its held frames
        // the moment it applies its install, and B must know the session when they arrive.
        if (!b.commands().installSession(id(2, jb), id(1, ja), "n1", kb, expires)
                || !a.commands().installSession(id(1, ja), id(2, jb), "n2", ka, expires)) {
            throw new IllegalStateException("command queue full");
        }
        return new PairKeys(k1, k2, ia, ib);
    }

    /** As the agent builds them: one sending cipher per dataplane thread, split receive windows with several. */
    private Keypair keypair(java.util.function.Function<byte[], io.xdpmesh.crypto.aead.PacketAead> aead, byte[] send,
            byte[] receive, int local, int remote, long now) {
        io.xdpmesh.crypto.aead.PacketAead[] senders = new io.xdpmesh.crypto.aead.PacketAead[threads];
        io.xdpmesh.crypto.aead.PacketAead[] receivers = new io.xdpmesh.crypto.aead.PacketAead[threads];
        PacketMac[] macs = new PacketMac[threads];
        PacketMac[] rmacs = new PacketMac[threads];
        for (int t = 0; t < threads; t++) {
            senders[t] = aead.apply(send);
            macs[t] = new PacketMac(send);
            receivers[t] = aead.apply(receive);
            rmacs[t] = new PacketMac(receive);
        }
        return new Keypair(senders, receivers, macs, rmacs,
                threads == 1 ? 1 : Keypair.MAX_LANES, local, remote, true, now);
    }

    static long drops(Dataplane d, DropReason r) {
        return d.drops().get(r);
    }

    /** Waits until the dataplanes have applied every queued command (bounded). */
    void settle() throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while ((a.commands().pending() > 0 || b.commands().pending() > 0) && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        // every thread of both nodes has run two more cycles (so each applied what was queued)
        long[] ca = cycles(a);
        long[] cb = cycles(b);
        while ((!advanced(a, ca) || !advanced(b, cb)) && System.nanoTime() < end) {
            Thread.sleep(2);
        }
    }

    private static long[] cycles(Dataplane d) {
        long[] c = new long[d.threads()];
        for (int t = 0; t < c.length; t++) {
            c[t] = d.agent(t).cycles();
        }
        return c;
    }

    private static boolean advanced(Dataplane d, long[] before) {
        for (int t = 0; t < before.length; t++) {
            if (d.agent(t).cycles() < before[t] + 2) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        try {
            Shell.run(60, TOPOLOGY + " down --prefix " + prefix);
        } catch (IOException e) {
            // keep cleaning
        }
        if (bpffs != null) {
            try {
                BpfFs.unmount(bpffs);
                Files.deleteIfExists(bpffs);
            } catch (RuntimeException | IOException e) {
                // best effort
            }
        }
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temp files
        }
    }
}
