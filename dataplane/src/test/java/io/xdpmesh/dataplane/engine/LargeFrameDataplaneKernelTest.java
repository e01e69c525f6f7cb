package io.xdpmesh.dataplane.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Large-frame mode end to end: pods with MTU 65000 on 2 nodes x 2 pods, uplink MTU 1500. TCP
 * superframes from the pods are segmented to the tunnel MTU and sealed, the receiving dataplane
 * coalesces the segments back into large frames for the pod; the wire between the nodes carries
 * only WireGuard in frames of at most 1514 bytes. Non-TCP packets larger than the tunnel MTU are
 * answered with ICMP (DF) or fragmented (IPv4 without DF).
 */
@Tag("kernel")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LargeFrameDataplaneKernelTest {
    static final int POD_MTU = 65000;
    static TwoNodeMesh mesh;

    @BeforeAll
    static void up() throws Exception {
        mesh = new TwoNodeMesh("encrypt", Duration.ofMillis(1500), "--pod-mtu " + POD_MTU, "sf");
        mesh.install(1, 1);
        mesh.install(2, 2);
        mesh.settle();
    }

    @AfterAll
    static void down() {
        if (mesh != null) {
            mesh.close();
        }
    }

    static String drops() {
        return "\nA drops: " + DataplaneKernelTest.dropSummary(mesh.a) + "\nB drops: "
                + DataplaneKernelTest.dropSummary(mesh.b);
    }

    static void ping(String fromNs, String to, int count) throws Exception {
        Shell.Result r = Shell.run(30, "ip netns exec " + fromNs + " ping -c " + count + " -i 0.2 -W 2 " + to);
        assertEquals(0, r.exit(), r.out() + drops());
    }

    static String iperf(String serverNs, String serverAddr, String clientNs, int port, String extra) throws Exception {
        Path log = Files.createTempFile("iperf-s", ".log");
        Process server = Shell.background("ip netns exec " + serverNs + " iperf3 -s -1 -B " + serverAddr + " -p " + port, log);
        try {
            Thread.sleep(300);
            Shell.Result r = Shell.run(40, "ip netns exec " + clientNs + " timeout 30 iperf3 -c " + serverAddr + " -p "
                    + port + " " + extra);
            assertEquals(0, r.exit(), r.out() + drops());
            return r.out();
        } finally {
            server.destroyForcibly().waitFor();
            Files.deleteIfExists(log);
        }
    }

    /** Receiver bitrate of an iperf3 run, in Gbit/s. */
    static double receiverGbps(String out) {
        Matcher m = Pattern.compile("([0-9.]+) ([KMG])bits/sec.*receiver").matcher(out);
        double v = -1;
        while (m.find()) {
            double x = Double.parseDouble(m.group(1));
            v = switch (m.group(2)) {
                case "K" -> x / 1e6;
                case "M" -> x / 1e3;
                default -> x;
            };
        }
        return v;
    }

    @Test
    @Order(1)
    void podsAndHostSidesHaveTheLargeMtuAndSocketsAreScatterGather() throws Exception {
        String link = Shell.sh("ip -n " + mesh.pod(1, 1) + " link show eth0");
        assertTrue(link.contains("mtu " + POD_MTU), link);
        for (Dataplane.PortStatus p : mesh.a.portStatus()) {
            assertEquals("native", p.xdpMode(), "xdp.frags attaches natively at MTU 65000: " + p);
        }
        ping(mesh.pod(1, 1), mesh.v4(2, 1), 3);
        ping(mesh.pod(1, 1), mesh.v6(2, 1), 3);
    }

    @Test
    @Order(2)
    void tcpSuperframesAreSegmentedSealedAndCoalescedAndTheWireSeesOnlySmallWireGuard() throws Exception {
        Path pcap = Path.of("/tmp", mesh.prefix + "-large.pcap");
        Path log = Files.createTempFile("tshark", ".log");
        long superA = mesh.a.stats().superframes.get();
        long segA = mesh.a.stats().segments.get();
        long coalB = mesh.b.stats().coalescedFrames.get();
        // AF_XDP TX bypasses packet taps on the uplink: capture on the bridge port facing node 1.
        Process cap = Shell.background("ip netns exec " + mesh.prefix + "br tshark -q -i " + mesh.prefix + "v1"
                + " -s 128 -c 20000 -f ip -w " + pcap + " -a duration:12", log);
        try {
            Thread.sleep(1500);
            String tcp4 = iperf(mesh.pod(2, 1), mesh.v4(2, 1), mesh.pod(1, 1), 5401, "-t 3");
            String tcp6 = iperf(mesh.pod(2, 1), mesh.v6(2, 1), mesh.pod(1, 1), 5402, "-t 2");
            String back = iperf(mesh.pod(1, 1), mesh.v4(1, 1), mesh.pod(2, 1), 5403, "-t 2");
            System.out.println("[large frames] iperf3 TCP v4 across nodes, pod MTU " + POD_MTU + ":\n"
                    + DataplaneKernelTest.tail(tcp4, 4) + "\nv6:\n" + DataplaneKernelTest.tail(tcp6, 4)
                    + "\nn2 -> n1:\n" + DataplaneKernelTest.tail(back, 4));
            for (String out : new String[] {tcp4, tcp6, back}) {
                assertTrue(receiverGbps(out) > 0.05, "TCP moved data: " + out);
            }
            cap.waitFor(30, TimeUnit.SECONDS);
            String decoded = Shell.sh("tshark -r " + pcap
                    + " -d udp.port==51871,wg -T fields -e frame.len -e frame.protocols -e wg.type 2>/dev/null");
            String[] lines = decoded.strip().split("\n");
            assertTrue(lines.length >= 1000, "captured frames: " + lines.length);
            int largest = 0;
            for (String line : lines) {
                String[] f = line.split("\t");
                largest = Math.max(largest, Integer.parseInt(f[0]));
                assertTrue(f[1].contains("udp:wg") && line.endsWith("\t4"), "not WireGuard transport data: " + line);
            }
            assertTrue(largest <= 1514, "outer frames within the 1500 uplink MTU: largest " + largest);
            System.out.println("[large frames] " + lines.length + " uplink frames captured, all WireGuard type 4, largest "
                    + largest + " B");
        } finally {
            cap.destroyForcibly().waitFor();
            Files.deleteIfExists(pcap);
            Files.deleteIfExists(log);
        }
        long supers = mesh.a.stats().superframes.get() - superA;
        long segs = mesh.a.stats().segments.get() - segA;
        long coal = mesh.b.stats().coalescedFrames.get() - coalB;
        System.out.println("[large frames] A segmented " + supers + " superframes into " + segs + " segments ("
                + (segs / Math.max(1, supers)) + " each); B coalesced " + coal + " frames from "
                + mesh.b.stats().coalescedSegments.get() + " segments");
        assertTrue(supers > 100, "superframes segmented: " + supers);
        assertTrue(segs > 3 * supers, "several segments per superframe: " + segs + " / " + supers);
        assertTrue(coal > 100, "segments coalesced for the pod: " + coal);
        assertEquals(0, mesh.a.drops().get(io.xdpmesh.dataplane.counters.DropReason.MTU_EXCEEDED)
                + mesh.b.drops().get(io.xdpmesh.dataplane.counters.DropReason.POD_MTU_EXCEEDED),
                drops());
    }

    @Test
    @Order(3)
    void sameNodeSuperframesGoAsChains() throws Exception {
        String local = iperf(mesh.pod(1, 2), mesh.v4(1, 2), mesh.pod(1, 1), 5404, "-t 2");
        System.out.println("[large frames] iperf3 TCP same node:\n" + DataplaneKernelTest.tail(local, 4));
        assertTrue(receiverGbps(local) > 0.05, local);
    }

    @Test
    @Order(4)
    void largeNonTcpIsFragmentedWithoutDfAndAnsweredWithIcmpWithDf() throws Exception {
        String p11 = mesh.pod(1, 1);
        long fragA = mesh.a.stats().fragmented.get();
        long fragB = mesh.b.stats().fragmented.get();
        // 8028 B: a descriptor chain on both sides; fragmented by each dataplane, reassembled by the pods.
        Shell.Result df0 = Shell.run(30, "ip netns exec " + p11 + " ping -c 3 -i 0.2 -W 2 -M dont -s 8000 " + mesh.v4(2, 1));
        assertEquals(0, df0.exit(), df0.out() + drops());
        assertTrue(mesh.a.stats().fragmented.get() - fragA >= 3 && mesh.b.stats().fragmented.get() - fragB >= 3);
        long icmp = mesh.a.stats().icmpTooBig.get();
        Shell.Result r4 = Shell.run(20, "ip netns exec " + p11 + " ping -c 2 -W 1 -M do -s 8000 " + mesh.v4(2, 1));
        assertTrue(r4.out().contains("1420"), "IPv4 sender learns the tunnel MTU: " + r4.out());
        Shell.Result r6 = Shell.run(20, "ip netns exec " + p11 + " ping -6 -c 2 -W 1 -M do -s 8000 " + mesh.v6(2, 1));
        assertTrue(r6.out().contains("1420"), "IPv6 sender learns the tunnel MTU: " + r6.out());
        assertTrue(mesh.a.stats().icmpTooBig.get() - icmp >= 2);
        // IPv6 then fragments at the source: large pings pass.
        Shell.Result v6 = Shell.run(30, "ip netns exec " + p11 + " ping -6 -c 3 -i 0.2 -W 2 -s 8000 " + mesh.v6(2, 1));
        assertEquals(0, v6.exit(), v6.out());
    }

    @Test
    @Order(5)
    void noUmemFrameIsUnaccountedAtIdle() throws Exception {
        waitFor("A idle audit", () -> mesh.a.agent().framesUnaccounted() == 0 ? 1 : 0);
        waitFor("B idle audit", () -> mesh.b.agent().framesUnaccounted() == 0 ? 1 : 0);
        assertEquals(0, mesh.a.agent().framesUnaccounted());
        assertEquals(0, mesh.b.agent().framesUnaccounted());
    }

    static void waitFor(String what, LongSupplier ok) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ok.getAsLong() == 0 && System.nanoTime() < end) {
            Thread.sleep(50);
        }
    }
}
