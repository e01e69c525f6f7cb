package io.xdpmesh.dataplane.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.crypto.transport.Keypair;
import io.xdpmesh.crypto.transport.TransportSealer;
import io.xdpmesh.dataplane.cluster.ClusterConfig;
import io.xdpmesh.dataplane.counters.DropReason;
import io.xdpmesh.dataplane.flow.FlowRecord;
import io.xdpmesh.dataplane.policy.PolicyRule;
import io.xdpmesh.dataplane.policy.SpiffeSelector;
import io.xdpmesh.dataplane.policy.Verdict;
import io.xdpmesh.dataplane.session.Aeads;
import io.xdpmesh.dataplane.session.AuthRequest;
import io.xdpmesh.dataplane.session.FailReason;
import io.xdpmesh.xdp.sys.NetNs;
import java.lang.foreign.MemorySegment;
import java.lang.management.GarbageCollectorMXBean;
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
import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The dataplane end to end over 2 nodes x 2 pods in private namespaces: real XDP programs, real
 * AF_XDP sockets, real ping/iperf3/tshark, keys installed through the session interface.
 */
@Tag("kernel")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DataplaneKernelTest {
    static TwoNodeMesh mesh;

    @BeforeAll
    static void up() throws Exception {
        mesh = new TwoNodeMesh("encrypt", Duration.ofMillis(1500));
        mesh.install(1, 1);
        mesh.settle();
    }

    @AfterAll
    static void down() {
        if (mesh != null) {
            mesh.close();
        }
    }

    static void ping(String fromNs, String to, int count) throws Exception {
        Shell.Result r = Shell.run(30, "ip netns exec " + fromNs + " ping -c " + count + " -i 0.2 -W 2 " + to);
        assertEquals(0, r.exit(), r.out() + "\nA drops: " + dropSummary(mesh.a) + "\nB drops: " + dropSummary(mesh.b));
        assertTrue(r.out().contains(" 0% packet loss"), r.out());
    }

    static String dropSummary(Dataplane d) {
        StringBuilder b = new StringBuilder();
        for (DropReason r : DropReason.values()) {
            long n = d.drops().get(r);
            if (n > 0) {
                b.append(r.name()).append('=').append(n).append(' ');
            }
        }
        return b.toString();
    }

    @Test
    @Order(1)
    void pingAcrossNodesAndOnOneNodeOverIpv4AndIpv6() throws Exception {
        ping(mesh.pod(1, 1), mesh.v4(2, 1), 3);
        ping(mesh.pod(1, 1), mesh.v6(2, 1), 3);
        ping(mesh.pod(2, 1), mesh.v4(1, 1), 3);
        ping(mesh.pod(1, 1), mesh.v4(1, 2), 3);
        ping(mesh.pod(1, 1), mesh.v6(1, 2), 3);
        assertTrue(mesh.a.stats().sealed.get() >= 9, "sealed on A: " + mesh.a.stats().sealed.get());
        assertTrue(mesh.b.stats().opened.get() >= 9, "opened on B: " + mesh.b.stats().opened.get());
        assertTrue(mesh.a.stats().forwardedLocal.get() >= 12, "local on A");
    }

    static DatagramChannel udp(String ns, String bindAddr, int port) throws Exception {
        DatagramChannel ch;
        try (NetNs in = NetNs.enter(ns)) {
            ch = DatagramChannel.open(InetAddress.getByName(bindAddr).getAddress().length == 16
                    ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
        }
        ch.bind(new InetSocketAddress(bindAddr, port));
        ch.configureBlocking(false);
        return ch;
    }

    static void send(DatagramChannel ch, String to, int port, String text) throws Exception {
        ch.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), new InetSocketAddress(to, port));
    }

    /** Reads datagrams until n arrived or the time is up. */
    static List<String> receive(DatagramChannel ch, int n, long millis) throws Exception {
        List<String> got = new ArrayList<>();
        ByteBuffer b = ByteBuffer.allocate(2048);
        long end = System.nanoTime() + millis * 1_000_000L;
        while (got.size() < n && System.nanoTime() < end) {
            b.clear();
            if (ch.receive(b) != null) {
                b.flip();
                got.add(StandardCharsets.UTF_8.decode(b).toString());
            } else {
                Thread.sleep(1);
            }
        }
        return got;
    }

    static void waitFor(String what, LongSupplier value, long atLeast, long millis) throws Exception {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (value.getAsLong() < atLeast && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertTrue(value.getAsLong() >= atLeast, what + ": " + value.getAsLong() + " < " + atLeast
                + "\nA drops: " + dropSummary(mesh.a) + "\nB drops: " + dropSummary(mesh.b));
    }

    static List<AuthRequest> requests(Dataplane d) {
        List<AuthRequest> l = new ArrayList<>();
        d.authRequests().poll(l::add, 100);
        return l;
    }

    static String iperf(String serverNs, String serverAddr, String clientNs, int port, String extra) throws Exception {
        Path log = Files.createTempFile("iperf-s", ".log");
        Process server = Shell.background("ip netns exec " + serverNs + " iperf3 -s -1 -B " + serverAddr + " -p " + port, log);
        try {
            Thread.sleep(300);
            Shell.Result r = Shell.run(40, "ip netns exec " + clientNs + " timeout 30 iperf3 -c " + serverAddr + " -p "
                    + port + " -t 2 " + extra);
            assertEquals(0, r.exit(), r.out() + "\nA drops: " + dropSummary(mesh.a) + "\nB drops: " + dropSummary(mesh.b));
            return r.out();
        } finally {
            server.destroyForcibly().waitFor();
            Files.deleteIfExists(log);
        }
    }

    @Test
    @Order(2)
    void tcpAndUdpWithIperf3AcrossNodesAndOnOneNode() throws Exception {
        String tcp4 = iperf(mesh.pod(2, 1), mesh.v4(2, 1), mesh.pod(1, 1), 5201, "");
        assertTrue(tcp4.contains("receiver"), tcp4);
        String tcp6 = iperf(mesh.pod(2, 1), mesh.v6(2, 1), mesh.pod(1, 1), 5202, "");
        assertTrue(tcp6.contains("receiver"), tcp6);
        String udp4 = iperf(mesh.pod(2, 1), mesh.v4(2, 1), mesh.pod(1, 1), 5203, "-u -b 50M -l 1200");
        assertTrue(udp4.contains("receiver"), udp4);
        String udp6 = iperf(mesh.pod(2, 1), mesh.v6(2, 1), mesh.pod(1, 1), 5204, "-u -b 50M -l 1200");
        assertTrue(udp6.contains("receiver"), udp6);
        String local = iperf(mesh.pod(1, 2), mesh.v4(1, 2), mesh.pod(1, 1), 5205, "");
        assertTrue(local.contains("receiver"), local);
        String local6u = iperf(mesh.pod(1, 2), mesh.v6(1, 2), mesh.pod(1, 1), 5206, "-u -b 50M");
        assertTrue(local6u.contains("receiver"), local6u);
        System.out.println("[dataplane] iperf3 TCP v4 across nodes:\n" + tail(tcp4, 4) + "\nUDP v4:\n" + tail(udp4, 4)
                + "\nTCP same node:\n" + tail(local, 4));
        boolean sawFlow = false;
        for (FlowRecord f : mesh.a.flows().snapshot()) {
            sawFlow |= f.dstPort() == 5201 && f.protocol() == 6 && f.packets() > 100 && f.verdict() == Verdict.ENCRYPT;
        }
        assertTrue(sawFlow, "the flow table shows the TCP flow to 5201 with its verdict");
    }

    /** The UDP checksum errors counted in a namespace (/proc/net/snmp, Udp InCsumErrors, v4 plus v6). */
    static long udpChecksumErrors(String ns) throws Exception {
        String snmp = Shell.sh("ip netns exec " + ns + " cat /proc/net/snmp");
        String[] head = null;
        long n = 0;
        for (String line : snmp.split("\n")) {
            if (line.startsWith("Udp:")) {
                String[] f = line.trim().split("\\s+");
                if (head == null) {
                    head = f;
                } else {
                    for (int i = 0; i < head.length; i++) {
                        if (head[i].equals("InCsumErrors")) {
                            n += Long.parseLong(f[i]);
                        }
                    }
                }
            }
        }
        String snmp6 = Shell.sh("ip netns exec " + ns + " cat /proc/net/snmp6");
        for (String line : snmp6.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && f[0].equals("Udp6InCsumErrors")) {
                n += Long.parseLong(f[1]);
            }
        }
        return n;
    }

    /**
     * The dataplane completes only checksums the sender left partial (veth TX offload on, the
     * default) and passes complete ones as they are (offload off in the sending pod): both kinds
     * arrive with valid checksums, across nodes (sealed) and on one node, over IPv4 and IPv6, UDP
     * and TCP; the receiving pods count no checksum error.
     */
    @Test
    @Order(3)
    void partialAndCompleteChecksumsBothArriveValid() throws Exception {
        String p11 = mesh.pod(1, 1);
        long errs21 = udpChecksumErrors(mesh.pod(2, 1));
        long errs12 = udpChecksumErrors(mesh.pod(1, 2));
        for (boolean offload : new boolean[] {true, false}) {
            Shell.sh("ip netns exec " + p11 + " ethtool -K eth0 tx " + (offload ? "on" : "off") + " >/dev/null");
            try {
                String state = Shell.sh("ip netns exec " + p11 + " ethtool -k eth0 | grep '^tx-checksumming'");
                assertTrue(state.contains(offload ? "on" : "off"), state);
                int port = offload ? 7700 : 7710;
                String[][] targets = {{mesh.pod(2, 1), mesh.v4(2, 1), mesh.v4(1, 1)},
                        {mesh.pod(2, 1), mesh.v6(2, 1), mesh.v6(1, 1)},
                        {mesh.pod(1, 2), mesh.v4(1, 2), mesh.v4(1, 1)},
                        {mesh.pod(1, 2), mesh.v6(1, 2), mesh.v6(1, 1)}};
                for (String[] t : targets) {
                    try (DatagramChannel rx = udp(t[0], t[1], port); DatagramChannel tx = udp(p11, t[2], 0)) {
                        for (int i = 0; i < 20; i++) {
                            send(tx, t[1], port, "csum-" + offload + "-" + i + "-" + "x".repeat(i * 50));
                        }
                        List<String> got = receive(rx, 20, 5000);
                        assertEquals(20, got.size(), "offload " + offload + " to " + t[1] + ": " + got.size()
                                + " arrived\nA drops: " + dropSummary(mesh.a) + "\nB drops: " + dropSummary(mesh.b));
                    }
                    port++;
                }
                String tcp = iperf(mesh.pod(2, 1), mesh.v4(2, 1), p11, offload ? 5220 : 5221, "-t 1");
                assertTrue(tcp.contains("receiver"), tcp);
                String tcp6 = iperf(mesh.pod(1, 2), mesh.v6(1, 2), p11, offload ? 5222 : 5223, "-t 1");
                assertTrue(tcp6.contains("receiver"), tcp6);
            } finally {
                Shell.run(10, "ip netns exec " + p11 + " ethtool -K eth0 tx on");
            }
        }
        assertEquals(errs21, udpChecksumErrors(mesh.pod(2, 1)), "UDP checksum errors in pod 2/1");
        assertEquals(errs12, udpChecksumErrors(mesh.pod(1, 2)), "UDP checksum errors in pod 1/2");
    }

    static String tail(String s, int lines) {
        String[] l = s.strip().split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(l, Math.max(0, l.length - lines), l.length));
    }

    @Test
    @Order(3)
    void uplinkCaptureShowsOnlyWireGuardAndNoPayloadInTheClear() throws Exception {
        Path pcap = Path.of("/tmp", mesh.prefix + "-uplink.pcap");
        Path log = Files.createTempFile("tshark", ".log");
        // AF_XDP TX bypasses packet taps on the uplink itself: capture on the bridge port facing node 1
        Process cap = Shell.background("ip netns exec " + mesh.prefix + "br tshark -q -i " + mesh.prefix + "v1"
                + " -f ip -w " + pcap + " -a duration:8", log);
        String pattern = "XDPMESH-SECRET-PAYLOAD-7f3a";
        try {
            Thread.sleep(1500);
            try (DatagramChannel rx = udp(mesh.pod(2, 1), mesh.v4(2, 1), 7100);
                    DatagramChannel tx = udp(mesh.pod(1, 1), mesh.v4(1, 1), 0)) {
                for (int i = 0; i < 20; i++) {
                    send(tx, mesh.v4(2, 1), 7100, pattern + "-" + i + "-" + pattern);
                }
                assertEquals(20, receive(rx, 20, 5000).size(), "datagrams delivered through the tunnel");
            }
            cap.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
            String raw = Files.readString(pcap, StandardCharsets.ISO_8859_1);
            assertFalse(raw.contains(pattern), "the payload pattern appears in the clear on the uplink");
            String decoded = Shell.sh("tshark -r " + pcap + " -d udp.port==51871,wg -T fields -e frame.protocols -e wg.type 2>/dev/null");
            String[] lines = decoded.strip().split("\n");
            assertTrue(lines.length >= 20, "captured frames: " + decoded);
            for (String line : lines) {
                assertTrue(line.contains("udp:wg") && line.endsWith("\t4"), "not WireGuard transport data: " + line);
            }
        } finally {
            cap.destroyForcibly().waitFor();
            Files.deleteIfExists(pcap);
            Files.deleteIfExists(log);
        }
    }

    @Test
    @Order(4)
    void firstPacketsAreHeldThenReleasedInOrderWhenKeysAreInstalled() throws Exception {
        requests(mesh.a);
        long heldBefore = mesh.a.stats().held.get();
        try (DatagramChannel rx = udp(mesh.pod(2, 2), mesh.v4(2, 2), 7200);
                DatagramChannel tx = udp(mesh.pod(1, 2), mesh.v4(1, 2), 0)) {
            for (int i = 0; i < 5; i++) {
                send(tx, mesh.v4(2, 2), 7200, "held-" + i);
            }
            waitFor("held on A", () -> mesh.a.stats().held.get() - heldBefore, 5, 3000);
            assertEquals(0, receive(rx, 1, 200).size(), "nothing may leave before the session exists");
            List<AuthRequest> reqs = requests(mesh.a);
            assertEquals(1, reqs.size(), "one auth request per pair: " + reqs);
            AuthRequest r = reqs.get(0);
            assertEquals(mesh.id(1, 2), r.localId());
            assertEquals(mesh.id(2, 2), r.remoteId());
            assertEquals("n2", r.remoteNode());
            assertEquals(Verdict.ENCRYPT, r.verdict());
            mesh.install(2, 2);
            List<String> got = receive(rx, 5, 5000);
            assertEquals(List.of("held-0", "held-1", "held-2", "held-3", "held-4"), got);
        }
    }

    @Test
    @Order(5)
    void heldPacketsAreDroppedWithReasonOnTimeout() throws Exception {
        long before = TwoNodeMesh.drops(mesh.a, DropReason.HANDSHAKE_TIMEOUT);
        try (DatagramChannel tx = udp(mesh.pod(1, 1), mesh.v4(1, 1), 0)) {
            for (int i = 0; i < 3; i++) {
                send(tx, mesh.v4(2, 2), 7300, "never-" + i);
            }
            waitFor("timed out on A", () -> TwoNodeMesh.drops(mesh.a, DropReason.HANDSHAKE_TIMEOUT) - before, 3, 6000);
        }
        assertEquals(0, mesh.a.agent().pendingFrames());
        requests(mesh.a);
    }

    @Test
    @Order(6)
    void heldPacketsAreDroppedWithReasonWhenTheHandshakeFails() throws Exception {
        long before = TwoNodeMesh.drops(mesh.a, DropReason.HANDSHAKE_FAILED);
        long heldBefore = mesh.a.stats().held.get();
        try (DatagramChannel tx = udp(mesh.pod(1, 2), mesh.v4(1, 2), 0)) {
            send(tx, mesh.v4(2, 1), 7400, "fail-0");
            send(tx, mesh.v4(2, 1), 7400, "fail-1");
            waitFor("held on A", () -> mesh.a.stats().held.get() - heldBefore, 2, 3000);
            mesh.a.commands().failPair(mesh.id(1, 2), mesh.id(2, 1), "n2", FailReason.FAILED);
            waitFor("failed on A", () -> TwoNodeMesh.drops(mesh.a, DropReason.HANDSHAKE_FAILED) - before, 2, 3000);
        }
        requests(mesh.a);
    }

    /** An IPv4 UDP packet src -> dst:port with the payload, checksum 0 (none). */
    static byte[] ipv4Udp(String src, String dst, int port, String payload) throws Exception {
        byte[] p = payload.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(28 + p.length);
        b.putShort((short) 0x4500).putShort((short) (28 + p.length)).putInt(0).put((byte) 64).put((byte) 17)
                .putShort((short) 0).put(InetAddress.getByName(src).getAddress()).put(InetAddress.getByName(dst).getAddress());
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += b.getShort(i) & 0xffff;
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        b.putShort(10, (short) ~sum);
        b.putShort((short) 4000).putShort((short) port).putShort((short) (8 + p.length)).putShort((short) 0).put(p);
        return b.array();
    }

    @Test
    @Order(7)
    void innerSourceOfAnotherIdentityIsDropped() throws Exception {
        TwoNodeMesh.PairKeys keys = mesh.install(2, 1); // session n1p2 <-> n2p1
        mesh.settle();
        // What node A's agent could seal: the peer's keys, counters ahead of any real traffic.
        Keypair forger = new Keypair(Aeads.create(keys.aToB()), Aeads.create(keys.bToA()), keys.indexA(),
                keys.indexB(), true, System.nanoTime());
        forger.sendCounter(5000);
        TransportSealer sealer = new TransportSealer();
        long spoofedBefore = TwoNodeMesh.drops(mesh.b, DropReason.INNER_SPOOFED_SOURCE);
        try (DatagramChannel rx = udp(mesh.pod(2, 1), mesh.v4(2, 1), 7500);
                DatagramChannel node = udp(mesh.ns("n1"), "10." + mesh.net + ".0.1", 0)) {
            for (String src : new String[] {mesh.v4(1, 1), mesh.v4(1, 2)}) {
                byte[] inner = ipv4Udp(src, mesh.v4(2, 1), 7500, "from " + src);
                MemorySegment msg = MemorySegment.ofArray(new byte[2048]);
                MemorySegment.copy(MemorySegment.ofArray(inner), 0, msg, 16, inner.length);
                int n = sealer.seal(forger, msg, 0, inner.length, 1440, System.nanoTime());
                assertTrue(n > 0);
                node.send(ByteBuffer.wrap(msg.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)),
                        new InetSocketAddress("10." + mesh.net + ".0.2", 51871));
            }
            List<String> got = receive(rx, 2, 2000);
            assertEquals(List.of("from " + mesh.v4(1, 2)), got, "only the session's own identity gets through");
        }
        assertEquals(1, TwoNodeMesh.drops(mesh.b, DropReason.INNER_SPOOFED_SOURCE) - spoofedBefore);
    }

    @Test
    @Order(8)
    void podSourceSpoofingIsDropped() throws Exception {
        String p11 = mesh.pod(1, 1);
        long before = TwoNodeMesh.drops(mesh.a, DropReason.SOURCE_NOT_ON_INTERFACE);
        long unknownBefore = TwoNodeMesh.drops(mesh.a, DropReason.UNKNOWN_SOURCE);
        Shell.sh("ip -n " + p11 + " addr add " + mesh.v4(1, 2) + "/32 dev eth0");
        Shell.sh("ip -n " + p11 + " addr add 10." + mesh.net + ".9.9/32 dev eth0");
        try {
            Shell.Result r = Shell.run(20, "ip netns exec " + p11 + " ping -c 2 -W 1 -I " + mesh.v4(1, 2) + " " + mesh.v4(2, 1));
            assertNotEquals(0, r.exit(), r.out());
            r = Shell.run(20, "ip netns exec " + p11 + " ping -c 2 -W 1 -I 10." + mesh.net + ".9.9 " + mesh.v4(2, 1));
            assertNotEquals(0, r.exit(), r.out());
        } finally {
            Shell.run(10, "ip -n " + p11 + " addr del " + mesh.v4(1, 2) + "/32 dev eth0");
            Shell.run(10, "ip -n " + p11 + " addr del 10." + mesh.net + ".9.9/32 dev eth0");
        }
        assertTrue(TwoNodeMesh.drops(mesh.a, DropReason.SOURCE_NOT_ON_INTERFACE) - before >= 2);
        assertTrue(TwoNodeMesh.drops(mesh.a, DropReason.UNKNOWN_SOURCE) - unknownBefore >= 2);
    }

    /** The same cluster with these policy rules instead of its own. */
    static ClusterConfig withRules(ClusterConfig base, PolicyRule... rules) {
        return new ClusterConfig(base.trustDomain(), base.tunnelPort(), base.defaultVerdict(), base.nodes(),
                base.workloads(), List.of(rules));
    }

    static PolicyRule rule(String from, String to, Verdict verdict) {
        return new PolicyRule(SpiffeSelector.parse(from), SpiffeSelector.parse(to), verdict);
    }

    @Test
    @Order(9)
    void denyVerdictDropsAndPolicyChangesAtRuntime() throws Exception {
        ClusterConfig base = mesh.cluster;
        ClusterConfig denying = withRules(base,
                rule(mesh.id(1, 1), mesh.id(1, 2), Verdict.DENY),
                rule(mesh.id(1, 1), mesh.id(2, 1), Verdict.DENY));
        long before = TwoNodeMesh.drops(mesh.a, DropReason.POLICY_DENY);
        mesh.a.commands().updateCluster(denying);
        mesh.settle();
        try {
            assertNotEquals(0, Shell.run(20, "ip netns exec " + mesh.pod(1, 1) + " ping -c 2 -W 1 " + mesh.v4(1, 2)).exit());
            assertNotEquals(0, Shell.run(20, "ip netns exec " + mesh.pod(1, 1) + " ping -c 2 -W 1 " + mesh.v4(2, 1)).exit());
            assertTrue(TwoNodeMesh.drops(mesh.a, DropReason.POLICY_DENY) - before >= 4, dropSummary(mesh.a));
            ping(mesh.pod(1, 2), mesh.v4(2, 2), 2); // other pairs unaffected
        } finally {
            mesh.a.commands().updateCluster(base);
            mesh.settle();
        }
        ping(mesh.pod(1, 1), mesh.v4(2, 1), 2); // the session survived the renumbering
        ping(mesh.pod(1, 1), mesh.v4(1, 2), 2);
    }

    @Test
    @Order(10)
    void authVerdictSendsAuthenticatedClearTextAndTheEncryptPairsStaySealed() throws Exception {
        ClusterConfig base = mesh.cluster;
        ClusterConfig authing = withRules(base,
                rule(mesh.id(1, 1), mesh.id(2, 1), Verdict.AUTH),
                rule(mesh.id(2, 1), mesh.id(1, 1), Verdict.AUTH));
        Path pcap = Path.of("/tmp", mesh.prefix + "-auth.pcap");
        Path log = Files.createTempFile("tshark", ".log");
        String pattern = "XDPMESH-AUTH-ONLY-PAYLOAD-51c2";
        mesh.a.commands().updateCluster(authing);
        mesh.b.commands().updateCluster(authing);
        mesh.settle();
        Process cap = Shell.background("ip netns exec " + mesh.prefix + "br tshark -q -i " + mesh.prefix + "v1"
                + " -f 'udp port 51871' -w " + pcap + " -a duration:8", log);
        try {
            Thread.sleep(1500);
            long authA = mesh.a.stats().authenticated.get();
            long sealedA = mesh.a.stats().sealed.get();
            ping(mesh.pod(1, 1), mesh.v4(2, 1), 2);
            ping(mesh.pod(1, 1), mesh.v6(2, 1), 2);
            try (DatagramChannel rx = udp(mesh.pod(2, 1), mesh.v4(2, 1), 7300);
                    DatagramChannel tx = udp(mesh.pod(1, 1), mesh.v4(1, 1), 0)) {
                for (int i = 0; i < 10; i++) {
                    send(tx, mesh.v4(2, 1), 7300, pattern + "-" + i);
                }
                assertEquals(10, receive(rx, 10, 5000).size(), "datagrams delivered through the tunnel");
            }
            assertTrue(mesh.a.stats().authenticated.get() - authA >= 14, "A authenticated ping and UDP");
            assertEquals(sealedA, mesh.a.stats().sealed.get(), "nothing of the auth pair was encrypted");
            // A pair still under encrypt is sealed as before.
            ping(mesh.pod(1, 2), mesh.v4(2, 2), 2);
            assertTrue(mesh.a.stats().sealed.get() - sealedA >= 2, "the encrypt pair is sealed");
            cap.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
            String raw = Files.readString(pcap, StandardCharsets.ISO_8859_1);
            assertTrue(raw.contains(pattern), "auth sends the payload in the clear inside the tunnel");
            String types = Shell.sh("tshark -r " + pcap + " -T fields -e udp.payload 2>/dev/null | cut -c1-8 | sort | uniq -c");
            assertTrue(types.contains("84000000"), "authenticated messages (type 0x84): " + types);
            assertTrue(types.contains("04000000"), "the encrypt pair's type-4 messages: " + types);
        } finally {
            cap.destroyForcibly().waitFor();
            Files.deleteIfExists(pcap);
            Files.deleteIfExists(log);
            mesh.a.commands().updateCluster(base);
            mesh.b.commands().updateCluster(base);
            mesh.settle();
        }
        ping(mesh.pod(1, 1), mesh.v4(2, 1), 2); // back to encrypt with the same session
    }

    @Test
    @Order(10)
    void allowAcrossNodesGoesPlainThroughThePeersKernel() throws Exception {
        ClusterConfig base = mesh.cluster;
        ClusterConfig allowing = withRules(base,
                rule(mesh.id(1, 2), mesh.id(2, 2), Verdict.ALLOW),
                rule(mesh.id(2, 2), mesh.id(1, 2), Verdict.ALLOW));
        mesh.a.commands().updateCluster(allowing);
        mesh.b.commands().updateCluster(allowing);
        mesh.settle();
        try {
            long plainA = mesh.a.stats().forwardedPlain.get();
            long plainB = mesh.b.stats().forwardedPlain.get();
            ping(mesh.pod(1, 2), mesh.v4(2, 2), 3);
            ping(mesh.pod(1, 2), mesh.v6(2, 2), 3);
            // TCP checks the checksums the dataplane completed, in the receiving pod's own stack
            String tcp = iperf(mesh.pod(2, 2), mesh.v4(2, 2), mesh.pod(1, 2), 5210, "-t 1");
            assertTrue(tcp.contains("receiver"), tcp);
            assertTrue(mesh.a.stats().forwardedPlain.get() - plainA >= 6, "plain on A");
            assertTrue(mesh.b.stats().forwardedPlain.get() - plainB >= 6, "plain on B");
        } finally {
            mesh.a.commands().updateCluster(base);
            mesh.b.commands().updateCluster(base);
            mesh.settle();
        }
    }

    @Test
    @Order(11)
    void tooBigPacketsAreAnsweredWithIcmpOrFragmentedWhenDfIsClear() throws Exception {
        String p11 = mesh.pod(1, 1);
        String lxc = mesh.prefix + "l1x1";
        long icmpBefore = mesh.a.stats().icmpTooBig.get();
        Shell.sh("ip -n " + mesh.ns("n1") + " link set " + lxc + " mtu 1500");
        Shell.sh("ip -n " + p11 + " link set eth0 mtu 1500");
        try {
            // DF clear and no path MTU learned yet: 1488 B whole packets, and 2428 B that the pod's
            // stack splits into 1500 + rest: the dataplane fragments to the tunnel MTU.
            long fragBefore = mesh.a.stats().fragmented.get();
            for (int size : new int[] {1460, 2400}) {
                Shell.Result df0 = Shell.run(20, "ip netns exec " + p11 + " ping -c 3 -i 0.2 -W 2 -M dont -s " + size
                        + " " + mesh.v4(2, 1));
                assertEquals(0, df0.exit(), "DF clear: fragmented by the dataplane and reassembled by the pod: "
                        + df0.out() + "\nA drops: " + dropSummary(mesh.a) + "\nB drops: " + dropSummary(mesh.b));
            }
            assertTrue(mesh.a.stats().fragmented.get() - fragBefore >= 6, "fragmented: "
                    + (mesh.a.stats().fragmented.get() - fragBefore));
            Shell.Result r4 = Shell.run(20, "ip netns exec " + p11 + " ping -c 2 -W 1 -M do -s 1460 " + mesh.v4(2, 1));
            assertTrue(r4.out().contains("1420"), "IPv4 sender learns the tunnel MTU: " + r4.out());
            Shell.Result r6 = Shell.run(20, "ip netns exec " + p11 + " ping -6 -c 2 -W 1 -M do -s 1440 " + mesh.v6(2, 1));
            assertTrue(r6.out().contains("1420"), "IPv6 sender learns the tunnel MTU: " + r6.out());
            ping(p11, mesh.v4(2, 1), 2); // small packets still pass
        } finally {
            Shell.run(10, "ip -n " + p11 + " link set eth0 mtu 1420");
            Shell.run(10, "ip -n " + mesh.ns("n1") + " link set " + lxc + " mtu 1420");
        }
        assertTrue(mesh.a.stats().icmpTooBig.get() - icmpBefore >= 2);
    }

    @Test
    @Order(12)
    void hotLoopAllocatesNothingUnderLoad() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long ta = mesh.a.thread().threadId();
        long tb = mesh.b.thread().threadId();
        // warm-up until the JIT has compiled every path (the vector cipher needs ~100k calls), then measure
        iperf(mesh.pod(1, 2), mesh.v4(1, 2), mesh.pod(1, 1), 5301, "-u -b 100M");
        // (iperf3's default 1460 B datagrams leave the pod as 1420 + 88 B fragments: both cipher paths)
        for (int i = 0; i < 2; i++) {
            iperf(mesh.pod(2, 1), mesh.v4(2, 1), mesh.pod(1, 1), 5310 + i, "-u -l 64 -b 60M");
        }
        iperf(mesh.pod(2, 1), mesh.v4(2, 1), mesh.pod(1, 1), 5312, "-u -b 400M");
        long gc0 = gcCount();
        long a0 = threads.getThreadAllocatedBytes(ta);
        long fwd0 = mesh.a.stats().forwardedLocal.get();
        iperf(mesh.pod(1, 2), mesh.v4(1, 2), mesh.pod(1, 1), 5303, "-u -b 100M");
        long a1 = threads.getThreadAllocatedBytes(ta);
        long fwd = mesh.a.stats().forwardedLocal.get() - fwd0;
        System.out.println("[dataplane] same-node load: " + fwd + " frames, " + (a1 - a0) + " B allocated on the dataplane thread");
        assertTrue(fwd > 10_000, "load reached the dataplane: " + fwd);
        assertEquals(0, a1 - a0, "bytes allocated by the dataplane thread during same-node forwarding");
        // Mixed traffic (iperf3's TCP control channel adds small packets both ways) for the record.
        long sealed0 = mesh.a.stats().sealed.get();
        long b0 = threads.getThreadAllocatedBytes(tb);
        long a2 = threads.getThreadAllocatedBytes(ta);
        iperf(mesh.pod(2, 1), mesh.v4(2, 1), mesh.pod(1, 1), 5304, "-u -b 100M");
        System.out.println("[dataplane] iperf3 encrypted load: " + (mesh.a.stats().sealed.get() - sealed0)
                + " sealed, allocated A " + (threads.getThreadAllocatedBytes(ta) - a2) + " B, B "
                + (threads.getThreadAllocatedBytes(tb) - b0) + " B, aead " + Aeads.describe());
        // The measured run: one-way UDP, 1200 B datagrams (A seals, B opens) from a plain socket, on
        // a session whose ciphers are crypto's pure-Java vector AEAD (0 B/op once compiled): the
        // OpenSSL/FFM binding still spins a LambdaForm now and then on the calling thread (~184 KB
        // per event, seen with JFR), which is crypto's to fix and would hide this path's result.
        Assumptions.assumeTrue(io.xdpmesh.crypto.aead.VectorPacketAead.supported(), "no 512-bit Vector API here");
        mesh.install(2, 1, io.xdpmesh.crypto.aead.VectorPacketAead::new);
        mesh.settle();
        for (int i = 0; i < 3; i++) {
            blast(mesh.pod(1, 2), mesh.v4(1, 2), mesh.v4(2, 1), 7600, 80_000, 1200);
            Thread.sleep(500); // until uncompiled, the cipher is slow and the XSK RX ring overflows
        }
        Thread.sleep(200);
        long gcMid = gcCount();
        long sealed1 = mesh.a.stats().sealed.get();
        long b1 = threads.getThreadAllocatedBytes(tb);
        long a3 = threads.getThreadAllocatedBytes(ta);
        int sent = blast(mesh.pod(1, 2), mesh.v4(1, 2), mesh.v4(2, 1), 7600, 60_000, 1200);
        waitFor("sealed", () -> mesh.a.stats().sealed.get() - sealed1, 10_000, 10_000);
        Thread.sleep(300);
        long sealed = mesh.a.stats().sealed.get() - sealed1;
        long allocA = threads.getThreadAllocatedBytes(ta) - a3;
        long allocB = threads.getThreadAllocatedBytes(tb) - b1;
        long gcs = gcCount() - gcMid;
        System.out.println("[dataplane] one-way encrypted load: " + sent + " sent, " + sealed + " sealed, allocated A " + allocA + " B, B "
                + allocB + " B, GCs " + gcs);
        assertTrue(sealed > 10_000, "load reached the tunnel: " + sealed);
        assertEquals(0, allocA, "bytes allocated by A's dataplane thread while sealing");
        assertEquals(0, allocB, "bytes allocated by B's dataplane thread while opening");
        assertEquals(0, gcs, "GCs during the measured load");
    }

    /** Sends count datagrams of size bytes as fast as the socket takes them (bounded by count and 10 s). */
    static int blast(String ns, String src, String dst, int port, int count, int size) throws Exception {
        try (DatagramChannel ch = udp(ns, src, 0)) {
            ch.configureBlocking(true);
            ByteBuffer b = ByteBuffer.allocateDirect(size);
            InetSocketAddress to = new InetSocketAddress(dst, port);
            long end = System.nanoTime() + 10_000_000_000L;
            int sent = 0;
            while (sent < count && System.nanoTime() < end) {
                b.clear();
                sent += ch.send(b, to) > 0 ? 1 : 0;
                if ((sent & 63) == 0) {
                    Thread.sleep(0, 200_000); // ~ 100-200 kpps: stay below what the veth queues drop
                }
            }
            return sent;
        }
    }

    static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }
}
