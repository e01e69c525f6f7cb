package io.xdpmesh.dataplane.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.dataplane.counters.DropReason;
import io.xdpmesh.dataplane.flow.FlowRecord;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two dataplane threads per node over veths with 2 RX/TX queues (uplinks, bridge ports and pod
 * veths): thread t serves queue t of every interface with its own UMEM. Several TCP flows between
 * pods spread over both pod queues (veth picks the peer's RX queue from the sender's TX queue, a
 * per-flow hash; the uplinks are one veth pair, so what thread t of one node sends on uplink queue t
 * arrives on queue t of the other): both threads of both nodes seal and open, the traffic arrives intact (TCP)
 * and encrypted (sealed/opened as WireGuard type 4), and nothing is dropped: no receive window is
 * found on the wrong thread, no frame is unaccounted. Both threads' flows appear in the flow table,
 * no thread allocates under load, and a pod veth with fewer queues than threads is served by the
 * thread that has its queue (the other counts what it cannot deliver).
 */
@Tag("kernel")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiThreadDataplaneKernelTest {
    private static TwoNodeMesh mesh;

    @BeforeAll
    static void up() throws Exception {
        mesh = new TwoNodeMesh("encrypt", Duration.ofSeconds(2), "--pod-mtu 1420 --queues 2 --direct", "xu", 2);
    }

    @AfterAll
    static void down() {
        if (mesh != null) {
            mesh.close();
        }
    }

    private static String perThread(Dataplane d) {
        StringBuilder b = new StringBuilder();
        for (int t = 0; t < d.threads(); t++) {
            b.append(" t").append(t).append(": sealed=").append(d.stats(t).sealed.get()).append(" opened=")
                    .append(d.stats(t).opened.get()).append(" drops[");
            for (DropReason r : DropReason.values()) {
                long n = d.drops(t).get(r);
                if (n > 0) {
                    b.append(r.name()).append('=').append(n).append(' ');
                }
            }
            b.append(']');
        }
        return b.toString();
    }

    private static String summary() {
        return "\nA:" + perThread(mesh.a) + "\nB:" + perThread(mesh.b);
    }

    @Test
    @Order(1)
    void twoThreadsPerNodeForwardSeveralFlowsOverBothQueues() throws Exception {
        assertEquals(2, mesh.a.threads());
        mesh.install(1, 1);
        mesh.settle();
        Shell.Result ping = Shell.run(30, "ip netns exec " + mesh.pod(1, 1) + " ping -c 3 -i 0.2 -W 2 " + mesh.v4(2, 1));
        assertEquals(0, ping.exit(), ping.out() + summary());
        Path log = Files.createTempFile("iperf-s", ".log");
        Process server = Shell.background("ip netns exec " + mesh.pod(2, 1) + " iperf3 -s -1 -B " + mesh.v4(2, 1)
                + " -p 5301", log);
        try {
            Thread.sleep(300);
            // 8 connections: the chance that all of them hash to one queue is 2^-7
            Shell.Result r = Shell.run(40, "ip netns exec " + mesh.pod(1, 1) + " timeout 30 iperf3 -c "
                    + mesh.v4(2, 1) + " -p 5301 -t 2 -P 8");
            assertEquals(0, r.exit(), r.out() + summary());
        } finally {
            server.destroyForcibly().waitFor();
            Files.deleteIfExists(log);
        }
        Thread.sleep(200); // let the threads reach an idle audit
        String summary = summary();
        System.out.println("[threads] iperf3 -P 8 across nodes, 2 threads per node:" + summary);
        for (Dataplane d : new Dataplane[] {mesh.a, mesh.b}) {
            for (int t = 0; t < 2; t++) {
                // A's threads seal data, B's seal the ACKs of the flows on their queues; each opens the other's
                assertTrue(d.stats(t).sealed.get() > 0, "thread " + t + " sealed nothing" + summary);
                assertTrue(d.stats(t).opened.get() > 0, "thread " + t + " opened nothing" + summary);
                assertEquals(0, d.agent(t).framesUnaccounted(), "UMEM frames unaccounted on thread " + t);
                assertTrue(d.agent(t).cycles() > 0);
            }
            for (DropReason r : new DropReason[] {DropReason.TUNNEL_WRONG_THREAD, DropReason.TUNNEL_REPLAY,
                    DropReason.TUNNEL_AUTH_FAILED, DropReason.TUNNEL_UNKNOWN_INDEX,
                    DropReason.POD_QUEUE_NOT_ON_THREAD, DropReason.SEAL_REFUSED}) {
                assertEquals(0, d.dropped(r), r + summary);
            }
        }
        // sealed on one side is opened on the other: nothing vanished between the two nodes
        long sealedA = mesh.a.stats(0).sealed.get() + mesh.a.stats(1).sealed.get();
        long openedB = mesh.b.stats(0).opened.get() + mesh.b.stats(1).opened.get();
        assertTrue(openedB > 1000 && openedB <= sealedA, "A sealed " + sealedA + ", B opened " + openedB + summary);
        flowsOfBothThreadsAppearMerged();
    }

    /** Each thread records its own flows; the reader's merged view has every flow of either. */
    private static void flowsOfBothThreadsAppearMerged() throws Exception {
        InetAddress server = InetAddress.getByName(mesh.v4(2, 1));
        for (Dataplane d : new Dataplane[] {mesh.a, mesh.b}) {
            int direction = d == mesh.a ? 0 : 1; // A sees them leave its pod, B sees them arrive
            Set<Integer> all = new HashSet<>();
            List<Set<Integer>> byThread = new ArrayList<>();
            long perThreadPackets = 0;
            for (int t = 0; t < 2; t++) {
                Set<Integer> ports = new HashSet<>();
                for (FlowRecord f : d.flows().snapshot(t)) {
                    if (f.protocol() == 6 && f.dstPort() == 5301 && f.dst().equals(server) && f.direction() == direction) {
                        ports.add(f.srcPort());
                        perThreadPackets += f.packets();
                    }
                }
                byThread.add(ports);
                all.addAll(ports);
            }
            String what = (d == mesh.a ? "A" : "B") + " flows by thread " + byThread + summary();
            assertTrue(!byThread.get(0).isEmpty() && !byThread.get(1).isEmpty(), "both threads record flows: " + what);
            // iperf3 -P 8: 8 data connections and the control connection, each on some thread
            assertTrue(all.size() >= 9, what);
            long merged = 0;
            Set<Integer> mergedPorts = new HashSet<>();
            for (FlowRecord f : d.flows().snapshot()) {
                if (f.protocol() == 6 && f.dstPort() == 5301 && f.dst().equals(server) && f.direction() == direction) {
                    assertTrue(mergedPorts.add(f.srcPort()), "one merged record per flow: " + f);
                    merged += f.packets();
                }
            }
            assertEquals(all, mergedPorts, what);
            assertEquals(perThreadPackets, merged, "merged packets are the threads' sum: " + what);
        }
    }

    @Test
    @Order(2)
    void noDataplaneThreadAllocatesUnderEncryptedLoad() throws Exception {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // As the one-thread test: crypto's pure-Java vector AEAD (0 B/op once compiled); the
        // OpenSSL/FFM binding spins a LambdaForm now and then on the calling thread.
        Assumptions.assumeTrue(io.xdpmesh.crypto.aead.VectorPacketAead.supported(), "no 512-bit Vector API here");
        mesh.install(2, 2, io.xdpmesh.crypto.aead.VectorPacketAead::new);
        mesh.settle();
        Thread[] threads = {mesh.a.thread(0), mesh.a.thread(1), mesh.b.thread(0), mesh.b.thread(1)};
        String[] names = {"A0", "A1", "B0", "B1"};
        try (Blaster blaster = new Blaster(mesh.pod(1, 2), mesh.v4(1, 2), 16)) {
            for (int i = 0; i < 3; i++) {
                blaster.blast(mesh.v4(2, 2), 7600, 80_000, 1200); // warm-up: the JIT compiles every path
                Thread.sleep(500);
            }
            Thread.sleep(200);
            long gc0 = DataplaneKernelTest.gcCount();
            long[] alloc0 = new long[4];
            for (int i = 0; i < 4; i++) {
                alloc0[i] = mx.getThreadAllocatedBytes(threads[i].threadId());
            }
            long[] sealed0 = {mesh.a.stats(0).sealed.get(), mesh.a.stats(1).sealed.get()};
            long[] opened0 = {mesh.b.stats(0).opened.get(), mesh.b.stats(1).opened.get()};
            LongSupplier sealed = () -> mesh.a.stats(0).sealed.get() + mesh.a.stats(1).sealed.get() - sealed0[0] - sealed0[1];
            int sent = blaster.blast(mesh.v4(2, 2), 7600, 60_000, 1200);
            long end = System.nanoTime() + 10_000_000_000L;
            while (sealed.getAsLong() < 10_000 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            Thread.sleep(300);
            long[] alloc = new long[4];
            StringBuilder b = new StringBuilder("[threads] one-way encrypted load over 2 threads: " + sent + " sent;");
            for (int i = 0; i < 4; i++) {
                alloc[i] = mx.getThreadAllocatedBytes(threads[i].threadId()) - alloc0[i];
                b.append(' ').append(names[i]).append(" allocated ").append(alloc[i]).append(" B");
            }
            long[] sealedBy = {mesh.a.stats(0).sealed.get() - sealed0[0], mesh.a.stats(1).sealed.get() - sealed0[1]};
            long[] openedBy = {mesh.b.stats(0).opened.get() - opened0[0], mesh.b.stats(1).opened.get() - opened0[1]};
            long gcs = DataplaneKernelTest.gcCount() - gc0;
            b.append("; sealed A0/A1 ").append(sealedBy[0]).append('/').append(sealedBy[1]).append(", opened B0/B1 ")
                    .append(openedBy[0]).append('/').append(openedBy[1]).append(", GCs ").append(gcs);
            System.out.println(b);
            // 16 source ports: the chance that all hash to one queue is 2^-15
            for (int t = 0; t < 2; t++) {
                assertTrue(sealedBy[t] > 2_000, "thread " + t + " of A sealed under the load: " + b + summary());
                assertTrue(openedBy[t] > 2_000, "thread " + t + " of B opened under the load: " + b + summary());
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(0, alloc[i], "bytes allocated by dataplane thread " + names[i] + ": " + b);
            }
            assertEquals(0, gcs, "GCs during the measured load: " + b);
        }
    }

    @Test
    @Order(3)
    void aPodVethWithFewerQueuesThanThreadsIsServedByTheThreadThatHasItsQueue() throws Exception {
        List<String> warnings = new ArrayList<>();
        Logger log = Logger.getLogger(Dataplane.class.getName());
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                synchronized (warnings) {
                    warnings.add(r.getMessage());
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        log.addHandler(h);
        String lx = mesh.prefix + "l1x3";
        try {
            String entry = Shell.sh(TwoNodeMesh.TOPOLOGY + " add-pod --prefix " + mesh.prefix + " --net " + mesh.net
                    + " --node 1 --pod 3 --pod-mtu 1420 --queues 1");
            String base = Files.readString(mesh.clusterFile, StandardCharsets.UTF_8);
            Path tmp = mesh.clusterFile.resolveSibling("cluster.yaml.new");
            Files.writeString(tmp, base.replace("policy: []", entry.stripTrailing() + "\npolicy: []"));
            Files.move(tmp, mesh.clusterFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            mesh.cluster = TwoNodeMesh.parse(Files.readString(mesh.clusterFile, StandardCharsets.UTF_8));
            assertTrue(mesh.a.updateCluster(mesh.cluster), String.valueOf(mesh.a.lastError()));
            assertTrue(mesh.b.updateCluster(mesh.cluster), String.valueOf(mesh.b.lastError()));
            assertTrue(List.of(mesh.a.interfaces()).contains(lx), List.of(mesh.a.interfaces()).toString());
        } finally {
            log.removeHandler(h);
        }
        synchronized (warnings) {
            assertTrue(warnings.stream().anyMatch(w -> w.contains(lx) && w.contains("pod_queue_not_on_thread")),
                    "the operator is told: " + warnings);
        }
        mesh.install(3, 1);
        mesh.settle();
        long dropped0 = mesh.a.drops(1).get(DropReason.POD_QUEUE_NOT_ON_THREAD);
        long delivered0 = mesh.a.stats(0).opened.get();
        int count = 1600;
        int received;
        try (DatagramChannel rx = DataplaneKernelTest.udp(mesh.pod(1, 3), mesh.v4(1, 3), 7700);
                Blaster tx = new Blaster(mesh.pod(2, 1), mesh.v4(2, 1), 16)) {
            rx.configureBlocking(false);
            // slow enough that no queue on the way overflows, read as it comes (the socket buffer
            // holds ~256): what is missing was dropped by reason
            ByteBuffer b = ByteBuffer.allocate(2048);
            int[] got = {0};
            int sent = tx.paced(mesh.v4(1, 3), 7700, count, 64, () -> {
                try {
                    while (rx.receive(b.clear()) != null) {
                        got[0]++;
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertEquals(count, sent);
            received = got[0] + drain(rx, count - got[0], 5_000);
        }
        Thread.sleep(200);
        long dropped = mesh.a.drops(1).get(DropReason.POD_QUEUE_NOT_ON_THREAD) - dropped0;
        String what = "received " + received + ", dropped on thread 1 " + dropped + ", thread 0 opened "
                + (mesh.a.stats(0).opened.get() - delivered0) + summary();
        System.out.println("[threads] 1-queue pod on a 2-thread node: " + what);
        // thread 0 (queue 0) delivers, thread 1 has no socket on it and counts instead
        assertTrue(received > 0, what);
        assertTrue(dropped > 0, what);
        assertEquals(count, received + dropped, "nothing vanished silently: " + what);
        assertEquals(0, mesh.a.drops(0).get(DropReason.POD_QUEUE_NOT_ON_THREAD), what);
        for (int t = 0; t < 2; t++) {
            assertEquals(0, mesh.a.agent(t).framesUnaccounted(), "UMEM frames unaccounted on thread " + t);
        }
    }

    private static int drain(DatagramChannel ch, int n, long millis) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(2048);
        long end = System.nanoTime() + millis * 1_000_000L;
        long quietSince = System.nanoTime();
        int got = 0;
        while (got < n && System.nanoTime() < end && System.nanoTime() - quietSince < 1_000_000_000L) {
            b.clear();
            if (ch.receive(b) != null) {
                got++;
                quietSince = System.nanoTime();
            } else {
                Thread.sleep(1);
            }
        }
        return got;
    }

    /** UDP from several source ports of one pod (so the pod veth's TX hash spreads them over its queues). */
    private static final class Blaster implements AutoCloseable {
        private final DatagramChannel[] channels;
        private final ByteBuffer payload = ByteBuffer.allocateDirect(1500);

        Blaster(String ns, String src, int sockets) throws Exception {
            channels = new DatagramChannel[sockets];
            for (int i = 0; i < sockets; i++) {
                channels[i] = DataplaneKernelTest.udp(ns, src, 0);
                channels[i].configureBlocking(true);
            }
        }

        /** count datagrams round robin, as fast as the sockets take them (bounded by count and 10 s). */
        int blast(String dst, int port, int count, int size) throws Exception {
            return send(dst, port, count, size, sent -> {
                if ((sent & 63) == 0) {
                    Thread.sleep(0, 200_000); // ~ 100-200 kpps: stay below what the veth queues drop
                }
            });
        }

        /** count datagrams, one every 0.5 ms, running between after each (bounded by count and 10 s). */
        int paced(String dst, int port, int count, int size, Runnable between) throws Exception {
            return send(dst, port, count, size, sent -> {
                between.run();
                Thread.sleep(0, 500_000);
            });
        }

        /** What a send loop does after each attempt, given the datagrams sent so far. */
        private interface Pause {
            void after(int sent) throws InterruptedException;
        }

        private int send(String dst, int port, int count, int size, Pause pause) throws Exception {
            InetSocketAddress to = new InetSocketAddress(dst, port);
            long end = System.nanoTime() + 10_000_000_000L;
            int sent = 0;
            while (sent < count && System.nanoTime() < end) {
                payload.clear().limit(size);
                sent += channels[sent % channels.length].send(payload, to) > 0 ? 1 : 0;
                pause.after(sent);
            }
            return sent;
        }

        @Override
        public void close() throws Exception {
            for (DatagramChannel c : channels) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }
}
