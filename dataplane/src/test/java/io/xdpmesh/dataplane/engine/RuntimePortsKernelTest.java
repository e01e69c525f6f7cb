package io.xdpmesh.dataplane.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.dataplane.counters.DropReason;
import io.xdpmesh.dataplane.session.AuthRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pod interfaces come and go while the dataplanes run: 2 nodes start with one pod each; a second
 * pod per node is created (a new veth) and added by rewriting the cluster file while a ping flow
 * runs to the first pods; its first ping across nodes is answered (held until the session is
 * installed, as the agent does on an auth request); then node 1's is removed from the cluster file
 * (program detached, every UMEM frame back) and node 2's link is deleted under the dataplane
 * (noticed and dropped the same way). The running flow loses nothing throughout. With 2 dataplane
 * threads (veths with 2 queues: each thread has a socket on one queue of every interface) the same
 * holds on each thread: both adopt and release their socket of the new interface and every UMEM
 * frame of both comes back.
 */
@Tag("kernel")
class RuntimePortsKernelTest {

    private static final Pattern LOSS = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    @ParameterizedTest(name = "{0} dataplane thread(s) per node")
    @ValueSource(ints = {1, 2})
    void podInterfacesAreAddedAndRemovedWithoutStoppingTheDataplane(int threads) throws Exception {
        // several threads: every veth has a queue per thread; the uplinks are one veth pair so that
        // lane t of one node lands on thread t of the other
        String topo = "--pod-mtu 1420 --pods 1" + (threads > 1 ? " --queues " + threads + " --direct" : "");
        try (TwoNodeMesh mesh = new TwoNodeMesh("encrypt", Duration.ofSeconds(5), topo, threads > 1 ? "xu" : "dt",
                threads);
                AutoInstaller installer = new AutoInstaller(mesh)) {
            assertEquals(threads, mesh.a.threads());
            String base = Files.readString(mesh.clusterFile, StandardCharsets.UTF_8);
            String l1 = mesh.prefix + "l1x2";
            String l2 = mesh.prefix + "l2x2";
            assertEquals(2, mesh.a.interfaces().length, Arrays.toString(mesh.a.interfaces()));
            mesh.settle();
            int[] idleFreeA = idleFree(mesh.a);
            int[] idleFreeB = idleFree(mesh.b);

            // A flow to the first pods runs through everything below.
            Path flowLog = Files.createTempFile(mesh.prefix, ".ping");
            Process flow = Shell.background("ip netns exec " + mesh.pod(1, 1) + " ping -i 0.01 -c 1500 -W 2 "
                    + mesh.v4(2, 1), flowLog);
            try {
                Thread.sleep(500);
                String entries = Shell.sh(TwoNodeMesh.TOPOLOGY + " add-pod --prefix " + mesh.prefix + " --net " + mesh.net
                        + " --node 1 --pod 2 --pod-mtu 1420 --queues " + threads)
                        + Shell.sh(TwoNodeMesh.TOPOLOGY + " add-pod --prefix " + mesh.prefix + " --net " + mesh.net
                        + " --node 2 --pod 2 --pod-mtu 1420 --queues " + threads);
                String grown = base.replace("policy: []", entries.stripTrailing() + "\npolicy: []");
                rewrite(mesh, grown);
                assertTrue(mesh.a.updateCluster(mesh.cluster), String.valueOf(mesh.a.lastError()));
                assertTrue(mesh.b.updateCluster(mesh.cluster), String.valueOf(mesh.b.lastError()));
                assertTrue(Arrays.asList(mesh.a.interfaces()).contains(l1), Arrays.toString(mesh.a.interfaces()));
                // one interface added (whatever number of queues and threads serve it)
                assertEquals(1, sum(mesh.a, s -> s.portsAdded.get()));
                assertEquals(1, sum(mesh.b, s -> s.portsAdded.get()));
                for (Dataplane d : new Dataplane[] {mesh.a, mesh.b}) {
                    for (int t = 0; t < threads; t++) {
                        assertEquals(3, d.agent(t).activePorts(), "thread " + t + " serves a queue of each interface");
                    }
                }
                assertTrue(xdpAttached(mesh.ns("n1"), l1));

                // The new pair is cold: the first ping is held, the session installed, the ping answered.
                Shell.Result first = Shell.run(20, "ip netns exec " + mesh.pod(1, 2) + " ping -c 1 -W 5 " + mesh.v4(2, 2));
                assertEquals(0, first.exit(), first.out() + drops(mesh));
                Shell.Result more = Shell.run(20, "ip netns exec " + mesh.pod(2, 2) + " ping -c 3 -i 0.2 -W 2 "
                        + mesh.v6(1, 2));
                assertEquals(0, more.exit(), more.out() + drops(mesh));
                assertTrue(sum(mesh.a, s -> s.held.get()) >= 1, "the first ping was held");

                // Node 1: the second pod leaves the cluster file; node 2: its link disappears.
                rewrite(mesh, base);
                assertTrue(mesh.a.updateCluster(mesh.cluster), String.valueOf(mesh.a.lastError()));
                Shell.sh(TwoNodeMesh.TOPOLOGY + " del-pod --prefix " + mesh.prefix + " --node 2 --pod 2");
                waitFor("node 1 released the port", () -> sum(mesh.a, s -> s.portsRemoved.get()) == 1
                        && retiring(mesh.a) == 0);
                waitFor("node 2 noticed the link is gone", () -> sum(mesh.b, s -> s.portsRemoved.get()) == 1
                        && retiring(mesh.b) == 0 && mesh.b.interfaces().length == 2);
                for (Dataplane d : new Dataplane[] {mesh.a, mesh.b}) {
                    for (int t = 0; t < threads; t++) {
                        assertEquals(2, d.agent(t).activePorts(), "thread " + t + " let its socket go");
                    }
                }
                assertFalse(Arrays.asList(mesh.a.interfaces()).contains(l1));
                assertFalse(xdpAttached(mesh.ns("n1"), l1), "no XDP program left on " + l1);
                assertFalse(Files.exists(mesh.bpffs.resolve(mesh.prefix + "n1").resolve(l1)), "pins removed");
                assertTrue(mesh.b.updateCluster(mesh.cluster)); // node 2's file catches up: nothing to do
                assertFalse(Arrays.asList(mesh.b.interfaces()).contains(l2));
            } finally {
                assertTrue(flow.waitFor(40, java.util.concurrent.TimeUnit.SECONDS), "flow ended");
                String out = Files.readString(flowLog);
                Files.deleteIfExists(flowLog);
                Matcher m = LOSS.matcher(out);
                assertTrue(m.find(), out);
                assertEquals(m.group(1), m.group(2), "the running flow lost nothing:\n" + out + drops(mesh));
            }
            // Every frame is back on every thread: its free count returns to its idle value from before the add.
            for (int t = 0; t < threads; t++) {
                int tt = t;
                waitFor("node 1 thread " + t + " free frames back to idle " + idleFreeA[t],
                        () -> mesh.a.agent(tt).framesFree() == idleFreeA[tt]);
                waitFor("node 2 thread " + t + " free frames back to idle " + idleFreeB[t],
                        () -> mesh.b.agent(tt).framesFree() == idleFreeB[tt]);
                assertEquals(0, mesh.a.agent(t).framesUnaccounted(), "node 1 thread " + t);
                assertEquals(0, mesh.b.agent(t).framesUnaccounted(), "node 2 thread " + t);
                assertEquals(0, mesh.a.stats(t).portFramesLost.get(), "node 1 thread " + t);
                assertEquals(0, mesh.b.stats(t).portFramesLost.get(), "node 2 thread " + t);
            }
            assertEquals(0, mesh.a.errors(), String.valueOf(mesh.a.lastError()));
            assertEquals(0, mesh.b.errors(), String.valueOf(mesh.b.lastError()));
        }
    }

    @Test
    void aLargeMtuPodIsRefusedOnANonScatterGatherUmemAndStaysFailClosed() throws Exception {
        try (TwoNodeMesh mesh = new TwoNodeMesh("encrypt", Duration.ofSeconds(5), "--pod-mtu 1420 --pods 1", "dt")) {
            String base = Files.readString(mesh.clusterFile, StandardCharsets.UTF_8);
            String entry = Shell.sh(TwoNodeMesh.TOPOLOGY + " add-pod --prefix " + mesh.prefix + " --net " + mesh.net
                    + " --node 1 --pod 2 --pod-mtu 9000");
            rewrite(mesh, base.replace("policy: []", entry.stripTrailing() + "\npolicy: []"));
            String l1 = mesh.prefix + "l1x2";
            assertTrue(mesh.a.updateCluster(mesh.cluster));
            assertEquals(1, mesh.a.stats().portsAddFailed.get());
            assertFalse(Arrays.asList(mesh.a.interfaces()).contains(l1));
            assertTrue(mesh.a.lastError().getMessage().contains("XDP_USE_SG"), mesh.a.lastError().getMessage());
            // Its program stays attached: IP from that pod is dropped by XDP, never passed in the clear.
            assertTrue(xdpAttached(mesh.ns("n1"), l1));
            Shell.Result r = Shell.run(10, "ip netns exec " + mesh.pod(1, 2) + " ping -c 2 -i 0.2 -W 1 " + mesh.v4(2, 1));
            assertTrue(r.exit() != 0, r.out());
            // Leaving the cluster file detaches it.
            rewrite(mesh, base);
            assertTrue(mesh.a.updateCluster(mesh.cluster));
            assertFalse(xdpAttached(mesh.ns("n1"), l1));
        }
    }

    private static void rewrite(TwoNodeMesh mesh, String yaml) throws Exception {
        Path tmp = mesh.clusterFile.resolveSibling("cluster.yaml.new");
        Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
        Files.move(tmp, mesh.clusterFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        mesh.cluster = TwoNodeMesh.parse(Files.readString(mesh.clusterFile, StandardCharsets.UTF_8));
    }

    private static boolean xdpAttached(String ns, String ifname) throws Exception {
        Shell.Result r = Shell.run(10, "ip -n " + ns + " -d link show dev " + ifname);
        return r.exit() == 0 && r.out().contains("prog/xdp");
    }

    /** Each thread's free-frame count once it has been idle for a while (two equal audits in a row). */
    private static int[] idleFree(Dataplane d) throws InterruptedException {
        int[] free = new int[d.threads()];
        for (int t = 0; t < free.length; t++) {
            int last = -1;
            for (int i = 0; i < 100 && free[t] == 0; i++) {
                Thread.sleep(100);
                int now = d.agent(t).framesFree();
                if (now == last && now > 0) {
                    free[t] = now;
                }
                last = now;
            }
            if (free[t] == 0) {
                throw new AssertionError("dataplane thread " + t + " never went idle");
            }
        }
        return free;
    }

    private static long sum(Dataplane d, java.util.function.ToLongFunction<io.xdpmesh.dataplane.counters.StatCounters> c) {
        long n = 0;
        for (int t = 0; t < d.threads(); t++) {
            n += c.applyAsLong(d.stats(t));
        }
        return n;
    }

    private static int retiring(Dataplane d) {
        int n = 0;
        for (int t = 0; t < d.threads(); t++) {
            n += d.agent(t).retiringPorts();
        }
        return n;
    }

    private static void waitFor(String what, BooleanSupplier ok) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static String drops(TwoNodeMesh mesh) {
        return "\nA drops: " + DataplaneKernelTest.dropSummary(mesh.a) + "\nB drops: "
                + DataplaneKernelTest.dropSummary(mesh.b) + "\nA port-removed drops: "
                + mesh.a.drops().get(DropReason.PORT_REMOVED);
    }

    /**
     * What the agent does on an auth request, without TLS: installs the pair's session on both
     * dataplanes (the keys come from the test).
     */
    static final class AutoInstaller implements AutoCloseable {
        private final Thread thread;
        private final Set<String> done = ConcurrentHashMap.newKeySet();
        private volatile boolean stop;

        AutoInstaller(TwoNodeMesh mesh) {
            thread = Thread.ofPlatform().daemon().name("auto-installer").start(() -> {
                while (!stop) {
                    int n = mesh.a.authRequests().poll(r -> install(mesh, r, true), 16)
                            + mesh.b.authRequests().poll(r -> install(mesh, r, false), 16);
                    if (n == 0) {
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            });
        }

        private void install(TwoNodeMesh mesh, AuthRequest r, boolean fromA) {
            int local = pod(r.localId());
            int remote = pod(r.remoteId());
            int ja = fromA ? local : remote;
            int jb = fromA ? remote : local;
            if (done.add(ja + "-" + jb)) {
                mesh.install(ja, jb);
            }
        }

        private static int pod(String id) {
            return id.charAt(id.length() - 1) - '0';
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(2000);
        }
    }
}
