package io.xdpmesh.control.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.control.StateDir;
import io.xdpmesh.control.ca.DevCa;
import io.xdpmesh.control.ca.SvidLayout;
import io.xdpmesh.control.handshake.FailureReason;
import io.xdpmesh.control.json.JsonText;
import io.xdpmesh.dataplane.authcache.AuthCache;
import io.xdpmesh.dataplane.authcache.AuthEntry;
import io.xdpmesh.dataplane.engine.Shell;
import io.xdpmesh.dataplane.authcache.AuthKey;
import io.xdpmesh.dataplane.authcache.AuthType;
import io.xdpmesh.dataplane.authcache.IdentityHash;
import io.xdpmesh.dataplane.counters.CountersFile;
import io.xdpmesh.xdp.bpf.BpfFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two real agents (scripts/xdpmesh agent, child processes, each in its node namespace) over
 * 2 nodes x 6 pods from scripts/topology with a private prefix, SVIDs from the dev CA, real
 * packets from the pods. One topology for the class; the tests run in order (later ones stop and
 * restart agent 2). Pods of node 2: p1 and p6 good, p4 an expired SVID, p5 an SVID from a rogue
 * CA of the same trust domain, p2 and p3 are served by a bad peer (openssl s_server) while agent
 * 2 is down. Agent 2's cluster file places n1p6 on a third node, so n1p6's pairs fail node binding.
 */
@Tag("kernel")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentEndToEndKernelTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path TOPOLOGY = ROOT.resolve("scripts/topology");
    static final Path LAUNCHER = ROOT.resolve("scripts/xdpmesh");

    String prefix;
    int net;
    Path dir;
    Path bpffs;
    String td;
    DevCa ca;
    DevCa rogue;
    DevCa foreign;
    final Process[] agents = new Process[3];
    Process capture;
    Path pcap;

    @BeforeAll
    void up() throws Exception {
        int r = ThreadLocalRandom.current().nextInt(0x10000);
        prefix = String.format("xm%04x", r);
        net = 20 + r % 200;
        td = prefix + ".test";
        dir = Files.createTempDirectory(prefix);
        boolean ok = false;
        try {
            Path cluster = dir.resolve("cluster.yaml");
            Shell.sh(90, TOPOLOGY + " up --prefix " + prefix + " --nodes 2 --pods 6 --net " + net + " --bridge --cluster-file " + cluster);
            Files.writeString(dir.resolve("cluster-n2.yaml"), thirdNodeView(Files.readString(cluster)));
            ca = DevCa.init(dir.resolve("ca"), td, Duration.ofDays(1), true);
            rogue = DevCa.init(dir.resolve("rogue"), td, Duration.ofDays(1), true);
            foreign = DevCa.init(dir.resolve("foreign"), "other.test", Duration.ofDays(1), true);
            for (int j = 1; j <= 6; j++) {
                ca.issue(DevCa.IssueSpec.valid(id(1, j), Duration.ofHours(1)), svids(1).resolve("n1p" + j));
            }
            ca.issue(DevCa.IssueSpec.valid(id(2, 1), Duration.ofHours(1)), svids(2).resolve("n2p1"));
            ca.issue(DevCa.IssueSpec.valid(id(2, 6), Duration.ofHours(1)), svids(2).resolve("n2p6"));
            ca.issue(new DevCa.IssueSpec(id(2, 4), Instant.now().minusSeconds(7200), Instant.now().minusSeconds(3600), true,
                    false), svids(2).resolve("n2p4"));
            rogue.issue(DevCa.IssueSpec.valid(id(2, 5), Duration.ofHours(1)), svids(2).resolve("n2p5"));
            for (int k = 1; k <= 2; k++) {
                ca.issue(DevCa.IssueSpec.valid(DevCa.nodeId(ca.trustDomain(), "n" + k).toString(), Duration.ofHours(1)),
                        svids(k).resolve("node"));
            }
            bpffs = Path.of("/tmp", prefix + "-bpffs");
            BpfFs.mount(bpffs);
            pcap = dir.resolve("wire.pcap");
            capture = Shell.background("ip netns exec " + prefix + "br tcpdump -i " + prefix + "v1 -U -s 256 -w " + pcap,
                    dir.resolve("tcpdump.log"));
            agents[1] = startAgent(1, cluster);
            agents[2] = startAgent(2, dir.resolve("cluster-n2.yaml"));
            awaitRunning(1, agents[1]);
            awaitRunning(2, agents[2]);
            ok = true;
        } finally {
            if (!ok) {
                down();
            }
        }
    }

    /** Agent 2's view: a third node n3 (nobody runs it) holds n1p6. */
    private String thirdNodeView(String yaml) {
        String n3 = "  - name: n3\n    uplink: " + prefix + "u3\n    address: \"10." + net + ".0.3\"\nworkloads:";
        String moved = yaml.replaceFirst("workloads:", java.util.regex.Matcher.quoteReplacement(n3));
        String marker = "sa/n1p6\n    node: n1";
        assertTrue(moved.contains(marker), "cluster file layout changed: " + yaml);
        return moved.replace(marker, "sa/n1p6\n    node: n3");
    }

    @AfterAll
    void down() throws IOException {
        for (int k = 1; k <= 2; k++) {
            stopAgent(k);
        }
        if (capture != null) {
            capture.destroy();
        }
        for (int k = 1; k <= 2; k++) {
            Shell.run(60, "ip netns exec " + prefix + "n" + k + " " + LAUNCHER + " agent --cleanup --node n" + k + " --bpffs " + bpffs
                    + " --state-dir " + state(k));
        }
        Shell.run(60, TOPOLOGY + " down --prefix " + prefix);
        if (bpffs != null && Files.exists(bpffs)) {
            try {
                BpfFs.unmount(bpffs);
                Files.deleteIfExists(bpffs);
            } catch (RuntimeException e) {
                // best effort
            }
        }
        Shell.run(30, "rm -rf " + dir);
    }

    String id(int k, int j) {
        return "spiffe://" + td + "/ns/default/sa/n" + k + "p" + j;
    }

    String ip(int k, int j) {
        return "10." + net + "." + k + "." + j;
    }

    Path svids(int k) {
        return dir.resolve("n" + k).resolve("svids");
    }

    Path state(int k) {
        return dir.resolve("n" + k).resolve("state");
    }

    String pod(int k, int j) {
        return "ip netns exec " + prefix + "n" + k + "p" + j + " ";
    }

    Process startAgent(int k, Path cluster) throws IOException {
        Files.createDirectories(svids(k));
        return Shell.background("ip netns exec " + prefix + "n" + k + " " + LAUNCHER + " agent --config " + cluster + " --node n" + k
                + " --state-dir " + state(k) + " --identity-dir " + svids(k) + " --bpffs " + bpffs
                + " --warmup 30 --dead-peer 3s", dir.resolve("agent-n" + k + "-" + System.nanoTime() + ".log"));
    }

    void stopAgent(int k) {
        Process p = agents[k];
        if (p == null) {
            return;
        }
        p.destroy(); // SIGTERM: the agent stops and leaves its programs pinned
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        agents[k] = null;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> status(int k) throws IOException {
        return (Map<String, Object>) JsonText.parse(Files.readString(StateDir.status(state(k))));
    }

    void awaitRunning(int k, Process p) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < end) {
            if (!p.isAlive()) {
                throw new IllegalStateException("agent n" + k + " exited: " + logs(k));
            }
            if (Files.exists(StateDir.status(state(k)))) {
                Map<String, Object> st = status(k);
                if ("running".equals(st.get("state")) && ((Number) st.get("pid")).longValue() == p.pid()) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("agent n" + k + " did not come up: " + logs(k));
    }

    String logs(int k) throws IOException {
        StringBuilder b = new StringBuilder();
        try (var s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().startsWith("agent-n" + k)).sorted().toList()) {
                b.append(Files.readString(p));
            }
        }
        return b.toString();
    }

    Map<String, Long> counters(int k) throws IOException {
        Map<String, Long> m = new HashMap<>();
        try (CountersFile cf = CountersFile.openReadOnly(StateDir.counters(state(k)))) {
            var r = cf.reader();
            r.forEach((id, type, key, label) -> m.put(label, r.getCounterValue(id)));
        }
        return m;
    }

    long counter(int k, String label) throws IOException {
        return counters(k).getOrDefault(label, 0L);
    }

    long dropsTotal(int k) throws IOException {
        return counters(k).entrySet().stream().filter(e -> e.getKey().startsWith("drop.")).mapToLong(Map.Entry::getValue).sum();
    }

    /** Waits (bounded) until a counter reaches at least min; returns its value. */
    long awaitCounter(int k, String label, long min) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long v = counter(k, label);
        while (v < min && System.nanoTime() < end) {
            Thread.sleep(100);
            v = counter(k, label);
        }
        return v;
    }

    @Test
    @Order(1)
    void coldFirstPingAcrossNodesIsAnswered() throws Exception {
        long heldBefore = counter(1, "stat.held");
        Shell.Result r = Shell.run(30, pod(1, 1) + "ping -c 3 -i 0.2 -W 5 -p deadbeefcafe " + ip(2, 1));
        assertTrue(r.out().contains("3 received"), r.out() + logs(1) + logs(2));
        assertTrue(counter(1, "stat.held") > heldBefore, "the first packet was held (the pair was cold)");
        assertEquals(0, dropsTotal(1), "node 1 dropped nothing: " + counters(1));
        assertEquals(0, dropsTotal(2), "node 2 dropped nothing: " + counters(2));
        assertEquals(1, counter(1, "handshake.established"));
        assertEquals(1, counter(2, "handshake.responded"));
        try (AuthCache c = AuthCache.open(StateDir.authCache(state(1)).toFile(), StateDir.AUTH_CACHE_ENTRIES)) {
            AuthEntry e = new AuthEntry();
            assertTrue(c.get(new AuthKey().set(IdentityHash.of(id(1, 1)), IdentityHash.of(id(2, 1)), IdentityHash.of("n2"),
                    AuthType.SPIFFE_ENCRYPT), e));
            assertEquals(AuthEntry.STATE_ESTABLISHED, e.state);
            assertTrue(e.expiresAtMillis > System.currentTimeMillis());
        }
    }

    @Test
    @Order(2)
    void coldTcpConnectAndColdUdpExchange() throws Exception {
        Process server = Shell.background(pod(2, 1) + "iperf3 -s -1 -B " + ip(2, 1), dir.resolve("iperf-s.log"));
        try {
            Thread.sleep(500);
            Shell.Result r = Shell.run(30, pod(1, 2) + "iperf3 -c " + ip(2, 1) + " -t 2 -f m");
            assertEquals(0, r.exit(), r.out());
            assertTrue(r.out().contains("receiver"), r.out());
            // The first SYN was held, not dropped: the client's kernel never retransmitted it.
            String syn = Shell.sh(90, pod(1, 2) + "nstat -az TcpExtTCPSynRetrans");
            assertTrue(syn.matches("(?s).*TcpExtTCPSynRetrans\\s+0\\s.*"), syn);
        } finally {
            server.destroy();
        }
        // UDP both ways on a cold pair (n1p3 -> n2p6): one datagram each, nothing retried.
        Process rx2 = Shell.background(pod(2, 6) + "timeout 10 nc -u -l -W 1 5002", dir.resolve("udp-n2.out"));
        Process rx1 = Shell.background(pod(1, 3) + "timeout 10 nc -u -l -W 1 5003", dir.resolve("udp-n1.out"));
        Thread.sleep(300);
        Shell.sh(90, "echo ping-from-n1p3 | " + pod(1, 3) + "nc -u -w 1 " + ip(2, 6) + " 5002");
        assertTrue(rx2.waitFor(10, TimeUnit.SECONDS));
        assertEquals("ping-from-n1p3", Files.readString(dir.resolve("udp-n2.out")).strip());
        Shell.sh(90, "echo pong-from-n2p6 | " + pod(2, 6) + "nc -u -w 1 " + ip(1, 3) + " 5003");
        assertTrue(rx1.waitFor(10, TimeUnit.SECONDS));
        assertEquals("pong-from-n2p6", Files.readString(dir.resolve("udp-n1.out")).strip());
        assertEquals(0, dropsTotal(1), "node 1 dropped nothing: " + counters(1));
        assertEquals(0, dropsTotal(2), "node 2 dropped nothing: " + counters(2));
    }

    @Test
    @Order(3)
    void rotatingBothSvidsDuringAPingFloodLosesNothing() throws Exception {
        long established = counter(1, "handshake.established");
        Process flood = Shell.background(pod(1, 1) + "ping -c 600 -i 0.01 -W 2 -p deadbeefcafe " + ip(2, 1),
                dir.resolve("flood.out"));
        Thread.sleep(1500);
        ca.issue(DevCa.IssueSpec.valid(id(2, 1), Duration.ofHours(2)), svids(2).resolve("n2p1")); // responder side
        Thread.sleep(1500);
        ca.issue(DevCa.IssueSpec.valid(id(1, 1), Duration.ofHours(2)), svids(1).resolve("n1p1")); // initiator side
        assertTrue(flood.waitFor(40, TimeUnit.SECONDS), "ping finished");
        String out = Files.readString(dir.resolve("flood.out"));
        assertTrue(out.contains("600 received"), "nothing lost across two rotations: " + out);
        assertTrue(awaitCounter(1, "handshake.established", established + 2) >= established + 2,
                "both rotations re-authenticated the pair: " + counters(1) + logs(1));
        assertEquals(0, dropsTotal(1), "node 1 dropped nothing: " + counters(1));
        assertEquals(0, dropsTotal(2), "node 2 dropped nothing: " + counters(2));
    }

    @Test
    @Order(4)
    void theWireCarriesOnlyWireGuard() throws Exception {
        Thread.sleep(300);
        capture.destroy();
        capture.waitFor(5, TimeUnit.SECONDS);
        String wg = Shell.sh(90, "tshark -r " + pcap + " -Y 'wg.type == 4' 2>/dev/null | wc -l").strip();
        assertTrue(Long.parseLong(wg) > 100, "WireGuard transport data on the wire: " + wg);
        String pods = "ip.addr == 10." + net + ".1.0/24 || ip.addr == 10." + net + ".2.0/24";
        String clear = Shell.sh(90, "tshark -r " + pcap + " -Y '" + pods + "' 2>/dev/null | wc -l").strip();
        assertEquals("0", clear, "no pod address in any outer header");
        String marker = Shell.sh(90, "tshark -r " + pcap + " -Y 'frame contains de:ad:be:ef:ca:fe' 2>/dev/null | wc -l").strip();
        assertEquals("0", marker, "the ping payload pattern never appears in clear");
        String other = Shell.sh(90, "tshark -r " + pcap + " -Y 'udp && !wg && !(udp.dstport == 9)' 2>/dev/null | wc -l").strip();
        // (port 9: the dataplane's one datagram that makes the node's kernel resolve a peer's MAC)
        assertEquals("0", other, "every UDP datagram between the nodes is WireGuard");
    }

    /** Pings dst from src (it fails), then waits for node 1's failure counter of reason. */
    void expectFailure(int srcPod, int dstPod, FailureReason reason) throws Exception {
        long failBefore = counter(1, reason.counterLabel());
        long droppedBefore = counter(1, "drop.handshake_failed");
        Shell.Result r = Shell.run(30, pod(1, srcPod) + "ping -c 2 -i 0.2 -W 2 " + ip(2, dstPod));
        assertTrue(r.out().contains(" 0 received"), "no session, no answer: " + r.out());
        assertTrue(awaitCounter(1, reason.counterLabel(), failBefore + 1) >= failBefore + 1,
                reason + " counted: " + counters(1) + logs(1));
        assertTrue(awaitCounter(1, "drop.handshake_failed", droppedBefore + 1) > droppedBefore,
                "the held packets were dropped as handshake_failed");
        try (AuthCache c = AuthCache.open(StateDir.authCache(state(1)).toFile(), StateDir.AUTH_CACHE_ENTRIES)) {
            AuthEntry e = new AuthEntry();
            assertTrue(c.get(new AuthKey().set(IdentityHash.of(id(1, srcPod)), IdentityHash.of(id(2, dstPod)),
                    IdentityHash.of("n2"), AuthType.SPIFFE_ENCRYPT), e));
            assertEquals(AuthEntry.STATE_FAILED, e.state);
            assertEquals(reason.ordinal(), e.reason, "the cache says why");
        }
        for (Object o : (List<?>) status(1).get("sessions")) {
            Map<?, ?> m = (Map<?, ?>) o;
            assertFalse(m.get("local").equals(id(1, srcPod)) && m.get("remote").equals(id(2, dstPod)), "no session for the pair");
        }
    }

    @Test
    @Order(5)
    void expiredUntrustedAndWrongNodeGetNoSession() throws Exception {
        expectFailure(4, 4, FailureReason.EXPIRED);
        expectFailure(4, 5, FailureReason.UNTRUSTED_CHAIN);
        // n1p6 is on node 3 in agent 2's view: agent 2 refuses the initiator (node binding).
        long refused = counter(2, "handshake.refused.node_binding");
        expectFailure(6, 6, FailureReason.PEER_REFUSED);
        assertTrue(counter(2, "handshake.refused.node_binding") > refused, "node 2 refused for node binding");
    }

    @Test
    @Order(6)
    void aBadPeerPresentingAWrongTrustDomainOrSpiffeIdGetsNoSession() throws Exception {
        stopAgent(2);
        // Fail closed: agent 2 is down, its programs stay attached; pods behind it get nothing through.
        String link = Shell.sh(90, "ip -n " + prefix + "n2 link show dev " + prefix + "l2x1");
        assertTrue(link.contains("xdp"), "the pod program stays attached: " + link);
        assertTrue(Shell.run(20, pod(2, 1) + "ping -c 2 -i 0.2 -W 1 169.254.1.1").out().contains(" 0 received"),
                "a pod's IP traffic is dropped while its agent is down");
        Path wrongTd = dir.resolve("bad-td");
        foreign.issue(DevCa.IssueSpec.valid("spiffe://other.test/ns/default/sa/n2p2", Duration.ofHours(1)), wrongTd);
        Path wrongId = dir.resolve("bad-id");
        ca.issue(DevCa.IssueSpec.valid("spiffe://" + td + "/ns/default/sa/impostor", Duration.ofHours(1)), wrongId);
        for (var c : List.of(Map.entry(wrongTd, 2), Map.entry(wrongId, 3))) {
            Path svid = c.getKey();
            DevCa issuer = svid == wrongTd ? foreign : ca;
            Process server = Shell.background("ip netns exec " + prefix + "n2 openssl s_server -accept 10." + net + ".0.2:4250 -tls1_3"
                    + " -cert " + SvidLayout.svid(svid) + " -key " + SvidLayout.key(svid)
                    + " -cert_chain " + issuer.dir().resolve(DevCa.INTERMEDIATE) + " -CAfile " + ca.bundlePath()
                    + " -Verify 2 -quiet -naccept 20", dir.resolve("s_server-" + c.getValue() + ".log"));
            try {
                Thread.sleep(500);
                expectFailure(5, c.getValue(), c.getValue() == 2 ? FailureReason.WRONG_TRUST_DOMAIN : FailureReason.WRONG_SPIFFE_ID);
            } finally {
                server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Order(7)
    void aRestartedAgentReadoptsItsProgramsAndTrafficResumes() throws Exception {
        if (agents[2] == null) {
            agents[2] = startAgent(2, dir.resolve("cluster-n2.yaml"));
            awaitRunning(2, agents[2]);
        }
        Map<String, Object> st = status(2);
        assertTrue(st.get("interfaces").toString().contains("adopted=true"), "programs re-adopted: " + st.get("interfaces"));
        // n1 still holds its old session with n2p1; n2 lost its keys. n1 notices the silence and re-authenticates.
        Shell.Result r = Shell.run(60, pod(1, 1) + "ping -c 40 -i 0.25 -W 1 " + ip(2, 1));
        assertTrue(r.out().matches("(?s).*\\b[1-9][0-9]* received.*"), r.out());
        Shell.Result after = Shell.run(30, pod(1, 1) + "ping -c 3 -i 0.2 -W 2 " + ip(2, 1));
        assertTrue(after.out().contains("3 received"), "traffic resumed: " + after.out() + logs(1));
    }

    @Test
    @Order(8)
    void aRunningTcpFlowSurvivesAPeerAgentRestart() throws Exception {
        Process server = Shell.background(pod(2, 1) + "iperf3 -s -1 -B " + ip(2, 1), dir.resolve("iperf-restart-s.log"));
        try {
            Thread.sleep(500);
            Process client = Shell.background(pod(1, 1) + "iperf3 -c " + ip(2, 1) + " -t 30 -i 1 -f k -b 20M",
                    dir.resolve("iperf-restart-c.log"));
            Thread.sleep(4000);
            stopAgent(2);
            agents[2] = startAgent(2, dir.resolve("cluster-n2.yaml"));
            awaitRunning(2, agents[2]);
            assertTrue(client.waitFor(60, TimeUnit.SECONDS), "iperf3 finished");
            String out = Files.readString(dir.resolve("iperf-restart-c.log"));
            assertEquals(0, client.exitValue(), "no reset, no error: " + out);
            assertTrue(out.contains("receiver"), out);
            // The last seconds carried data again: the flow resumed after the restart.
            List<String> intervals = out.lines().filter(l -> l.matches(".*\\bsec\\b.*Kbits/sec.*") && !l.contains("sender")
                    && !l.contains("receiver")).toList();
            assertTrue(intervals.size() >= 25, out);
            for (String l : intervals.subList(intervals.size() - 3, intervals.size())) {
                assertFalse(l.matches(".*\\s0\\.00 KBytes.*"), "data flows at the end: " + l + "\n" + out);
            }
        } finally {
            server.destroy();
        }
    }

    @Test
    @Order(9)
    void aPodAddedToTheClusterFileIsServedWithoutARestartAndLetGoOfWhenRemoved() throws Exception {
        Path c1 = dir.resolve("cluster.yaml");
        Path c2 = dir.resolve("cluster-n2.yaml");
        String before1 = Files.readString(c1);
        String before2 = Files.readString(c2);
        long pid1 = agents[1].pid();
        long pid2 = agents[2].pid();
        String l1 = prefix + "l1x7";
        Path flowLog = dir.resolve("flow-during-add.log");
        Process flow = Shell.background(pod(1, 1) + "ping -i 0.02 -c 600 -W 2 " + ip(2, 1), flowLog);
        try {
            Thread.sleep(500);
            String entries = Shell.sh(TOPOLOGY + " add-pod --prefix " + prefix + " --net " + net + " --node 1 --pod 7")
                    .stripTrailing() + "\n"
                    + Shell.sh(TOPOLOGY + " add-pod --prefix " + prefix + " --net " + net + " --node 2 --pod 7").stripTrailing();
            ca.issue(DevCa.IssueSpec.valid(id(1, 7), Duration.ofHours(1)), svids(1).resolve("n1p7"));
            ca.issue(DevCa.IssueSpec.valid(id(2, 7), Duration.ofHours(1)), svids(2).resolve("n2p7"));
            Files.writeString(c1, before1.replace("policy: []", entries + "\npolicy: []"));
            Files.writeString(c2, before2.replace("policy: []", entries + "\npolicy: []"));
            awaitInterface(1, l1, true);
            awaitInterface(2, prefix + "l2x7", true);
            Shell.Result first = Shell.run(30, pod(1, 7) + "ping -c 1 -W 5 " + ip(2, 7));
            assertTrue(first.out().contains("1 received"), "the first ping of the new pod is answered: " + first.out()
                    + logs(1) + logs(2));
            assertTrue(counter(1, "stat.ports_added") >= 1 && counter(2, "stat.ports_added") >= 1);
            assertTrue(agents[1].isAlive() && agents[1].pid() == pid1 && agents[2].pid() == pid2, "no agent restarted");

            Files.writeString(c1, before1);
            Files.writeString(c2, before2);
            awaitInterface(1, l1, false);
            awaitInterface(2, prefix + "l2x7", false);
            long end = System.nanoTime() + 10_000_000_000L;
            while (counter(1, "stat.ports_removed") < 1 && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            assertTrue(counter(1, "stat.ports_removed") >= 1, String.valueOf(counters(1)));
            Shell.Result link = Shell.run(10, "ip -n " + prefix + "n1 -d link show dev " + l1);
            assertEquals(0, link.exit(), link.out());
            assertFalse(link.out().contains("prog/xdp"), "program detached: " + link.out());
        } finally {
            assertTrue(flow.waitFor(40, TimeUnit.SECONDS), "flow ended");
        }
        String out = Files.readString(flowLog);
        assertTrue(out.contains("600 packets transmitted, 600 received"), "the running flow lost nothing: " + out);
    }

    void awaitInterface(int k, String ifname, boolean present) throws Exception {
        long end = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < end) {
            if (status(k).get("interfaces").toString().contains(ifname) == present) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("agent " + k + (present ? " never served " : " still serves ") + ifname + ": "
                + status(k).get("interfaces") + logs(k));
    }
}
