package io.xdpmesh.dataplane.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.dataplane.counters.DropReason;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The tests of a 2 nodes x 2 pods mesh whose uplinks are at MTU 9000 (jumbo frames): the uplink's
 * frames are larger than one 4 KiB UMEM frame, so they arrive as descriptor chains and sealed
 * messages leave as chains; tunnel ingress opens messages that span several descriptors. Each
 * concrete class builds the mesh with its pod MTU in its own {@code @BeforeAll}: JUnit runs a
 * superclass's {@code @BeforeAll} too, and a second mesh built there was never torn down.
 */
@Tag("kernel")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class JumboMeshTests {
    static final int MTU = 9000;
    static TwoNodeMesh mesh;
    /** The pods' MTU (9000 or, in large-frame mode, 65000). */
    static int podMtu;

    static void start(int pods) throws Exception {
        if (mesh != null) {
            throw new IllegalStateException("a mesh is already up: " + mesh);
        }
        podMtu = pods;
        mesh = new TwoNodeMesh("encrypt", Duration.ofMillis(1500), "--pod-mtu " + pods + " --uplink-mtu " + MTU, "xj");
        mesh.install(1, 1);
        mesh.install(2, 2);
        mesh.settle();
    }

    @AfterAll
    static void down() {
        if (mesh != null) {
            mesh.close();
            mesh = null;
        }
    }

    static String state() {
        return "\nA drops: " + DataplaneKernelTest.dropSummary(mesh.a) + "\nB drops: " + DataplaneKernelTest.dropSummary(mesh.b)
                + "\nA kernel: " + mesh.a.kernelDrops() + "\nB kernel: " + mesh.b.kernelDrops();
    }

    static void bigPing(String fromNs, String to, String flags) throws Exception {
        Shell.Result r = Shell.run(30, "ip netns exec " + fromNs + " ping " + flags + " -c 3 -i 0.2 -W 2 -M do -s 8000 " + to);
        assertEquals(0, r.exit(), r.out() + state());
        assertTrue(r.out().contains(" 0% packet loss"), r.out() + state());
    }

    @Test
    @Order(1)
    void linksAreJumboAndEightKilobytePingsWithDfPassBothWays() throws Exception {
        assertTrue(Shell.sh("ip -n " + mesh.ns("n1") + " link show " + mesh.uplink(1)).contains("mtu " + MTU));
        assertTrue(Shell.sh("ip -n " + mesh.pod(1, 1) + " link show eth0").contains("mtu " + podMtu));
        bigPing(mesh.pod(1, 1), mesh.v4(2, 1), "");
        bigPing(mesh.pod(2, 1), mesh.v4(1, 1), "");
        bigPing(mesh.pod(1, 1), mesh.v6(2, 1), "-6");
        bigPing(mesh.pod(2, 2), mesh.v6(1, 2), "-6");
        assertEquals(0, mesh.a.stats().icmpTooBig.get() + mesh.b.stats().icmpTooBig.get(), "no ICMP too big: 8028 B fits");
    }

    static void transfer(String serverNs, String serverAddr, String clientNs, int port, long bytes) throws Exception {
        TcpTransfer.Result r = TcpTransfer.run(serverNs, serverAddr, clientNs, port, bytes, 30);
        System.out.printf("[jumbo] TCP %s -> %s: %d B sent, %d B received, %.2f Gbit/s%n", clientNs, serverAddr, r.sent(),
                r.received(), r.gbps());
        assertEquals(bytes, r.sent(), "bytes sent" + state());
        assertEquals(bytes, r.received(), "bytes received" + state());
        assertTrue(r.sameCrc(), "the receiver's CRC32 matches the sender's");
    }

    @Test
    @Order(2)
    void tcpTransfersOfSeveralMegabytesArriveWholeAndTheWireSeesOnlyWireGuard() throws Exception {
        long bytes = 8L << 20;
        Path pcap = Path.of("/tmp", mesh.prefix + "-jumbo.pcap");
        Path log = Files.createTempFile("tshark", ".log");
        String pattern = "XDPMESH-JUMBO-SECRET-3c9e";
        long sealedA = mesh.a.stats().sealed.get();
        // AF_XDP TX bypasses packet taps on the uplink: capture on the bridge port facing node 1.
        Process cap = Shell.background("ip netns exec " + mesh.prefix + "br tshark -q -i " + mesh.prefix + "v1"
                + " -c 40000 -f ip -w " + pcap + " -a duration:25", log);
        try {
            Thread.sleep(1500);
            transfer(mesh.pod(2, 1), mesh.v4(2, 1), mesh.pod(1, 1), 5501, bytes);
            transfer(mesh.pod(1, 2), mesh.v4(1, 2), mesh.pod(2, 2), 5502, bytes);
            transfer(mesh.pod(2, 1), mesh.v6(2, 1), mesh.pod(1, 1), 5503, bytes / 2);
            // A marked 8000 B datagram (a chain on both sides) must never be visible on the wire.
            try (DatagramChannel rx = DataplaneKernelTest.udp(mesh.pod(2, 1), mesh.v4(2, 1), 7700);
                    DatagramChannel tx = DataplaneKernelTest.udp(mesh.pod(1, 1), mesh.v4(1, 1), 0)) {
                byte[] p = new byte[8000];
                byte[] mark = pattern.getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i + mark.length <= p.length; i += mark.length) {
                    System.arraycopy(mark, 0, p, i, mark.length);
                }
                int got = 0;
                ByteBuffer in = ByteBuffer.allocate(9000);
                for (int i = 0; i < 10; i++) {
                    tx.send(ByteBuffer.wrap(p), new java.net.InetSocketAddress(mesh.v4(2, 1), 7700));
                }
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (got < 10 && System.nanoTime() < end) {
                    in.clear();
                    if (rx.receive(in) != null) {
                        assertEquals(8000, in.position(), "datagram size");
                        assertEquals(pattern, new String(in.array(), 0, mark.length, StandardCharsets.US_ASCII));
                        got++;
                    } else {
                        Thread.sleep(1);
                    }
                }
                assertEquals(10, got, "8000 B datagrams delivered" + state());
            }
            cap.waitFor(40, TimeUnit.SECONDS);
            String raw = Files.readString(pcap, StandardCharsets.ISO_8859_1);
            assertFalse(raw.contains(pattern), "the payload pattern appears in the clear on the uplink");
            String decoded = Shell.sh("tshark -r " + pcap
                    + " -d udp.port==51871,wg -T fields -e frame.len -e frame.protocols -e wg.type 2>/dev/null");
            String[] lines = decoded.strip().split("\n");
            assertTrue(lines.length >= 500, "captured frames: " + lines.length);
            int largest = 0;
            int overOneUmemFrame = 0;
            for (String line : lines) {
                String[] f = line.split("\t");
                int len = Integer.parseInt(f[0]);
                largest = Math.max(largest, len);
                overOneUmemFrame += len > 4096 ? 1 : 0;
                assertTrue(f[1].contains("udp:wg") && line.endsWith("\t4"), "not WireGuard transport data: " + line);
            }
            System.out.println("[jumbo] " + lines.length + " uplink frames captured, all WireGuard type 4, largest " + largest
                    + " B, " + overOneUmemFrame + " larger than a UMEM frame");
            assertTrue(largest <= MTU + 14, "outer frames within the uplink MTU: " + largest);
            assertTrue(overOneUmemFrame > 100, "sealed messages larger than one UMEM frame left as chains: " + overOneUmemFrame);
        } finally {
            cap.destroyForcibly().waitFor();
            Files.deleteIfExists(pcap);
            Files.deleteIfExists(log);
        }
        assertTrue(mesh.a.stats().sealed.get() - sealedA > 500, "sealed on A");
        for (Dataplane d : new Dataplane[] {mesh.a, mesh.b}) {
            assertEquals(0, d.drops().get(DropReason.MTU_EXCEEDED) + d.drops().get(DropReason.POD_MTU_EXCEEDED)
                    + d.drops().get(DropReason.TUNNEL_AUTH_FAILED) + d.drops().get(DropReason.INNER_MALFORMED), state());
        }
    }

    @Test
    @Order(3)
    void nothingIsLostInTheKernelAndNoUmemFrameIsUnaccountedAtIdle() throws Exception {
        System.out.println("[jumbo] counters after the traffic:" + state());
        for (Dataplane d : new Dataplane[] {mesh.a, mesh.b}) {
            assertEquals(0, d.kernelCounters().total("xsk_rx_dropped"), "frames the uplink/pod sockets could not take" + state());
            assertEquals(0, d.kernelCounters().total("xsk_tx_invalid_descs"), "TX descriptors the kernel refused" + state());
            assertEquals(0, d.kernelCounters().pollFailures(), "idle poll(2) waits that failed (published, none)" + state());
        }
        LargeFrameDataplaneKernelTest.waitFor("A idle audit", () -> mesh.a.agent().framesUnaccounted() == 0 ? 1 : 0);
        LargeFrameDataplaneKernelTest.waitFor("B idle audit", () -> mesh.b.agent().framesUnaccounted() == 0 ? 1 : 0);
        assertEquals(0, mesh.a.agent().framesUnaccounted());
        assertEquals(0, mesh.b.agent().framesUnaccounted());
    }
}
