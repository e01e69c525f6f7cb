package io.xdpmesh.dataplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.dataplane.policy.Verdict;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterFileParserTest {
    static final String GOOD = """
            trustDomain: mesh.local
            defaultVerdict: encrypt
            nodes:
              - {name: node-a, uplink: upa, address: 10.99.0.1}
              - {name: node-b, uplink: upb, address: "fd00:99::2"}
            workloads:
              - id: spiffe://mesh.local/ns/shop/sa/frontend
                node: node-a
                ips: [10.98.1.2, "fd00:98:1::2"]
                interface: lxca1
                mac: "02:00:00:00:01:02"
              - id: spiffe://mesh.local/ns/shop/sa/backend
                node: node-b
                ips: [10.98.2.2]
                interface: lxcb1
            policy:
              - {from: "spiffe://mesh.local/ns/shop/sa/*", to: "spiffe://mesh.local/**", verdict: auth}
            """;

    @Test
    void parsesTheDocumentedFormat() throws Exception {
        ClusterConfig c = ClusterFileParser.parse(GOOD, "test.yaml");
        assertEquals("mesh.local", c.trustDomain());
        assertEquals(ClusterConfig.DEFAULT_TUNNEL_PORT, c.tunnelPort());
        assertEquals(Verdict.ENCRYPT, c.defaultVerdict());
        assertEquals(2, c.nodes().size());
        assertEquals(InetAddress.getByName("fd00:99::2"), c.node("node-b").orElseThrow().address());
        assertEquals(1, c.workloadsOn("node-a").size());
        WorkloadSpec fe = c.workloads().get(0);
        assertEquals(2, fe.ips().size());
        assertEquals("02:00:00:00:01:02", fe.mac());
        assertNull(c.workloads().get(1).mac());
        assertEquals(Verdict.AUTH, c.rules().get(0).verdict());
        assertTrue(c.rules().get(0).matches(fe.spiffeId(), c.workloads().get(1).spiffeId()));
    }

    private static String fails(String yaml) {
        return assertThrows(ClusterConfigException.class, () -> ClusterFileParser.parse(yaml, "c.yaml")).getMessage();
    }

    @Test
    void errorsNameTheFieldThatIsWrong() {
        assertTrue(fails("trustDomain: [").contains("not valid YAML"));
        assertTrue(fails(GOOD.replace("upa", "an-interface-name-too-long")).contains("nodes[0].uplink"));
        assertTrue(fails(GOOD.replace("10.99.0.1", "node-a.example")).contains("nodes[0].address"));
        assertTrue(fails(GOOD.replace("node: node-b", "node: node-c")).contains("workloads[1].node 'node-c'"));
        assertTrue(fails(GOOD.replace("10.98.2.2", "10.98.1.2")).contains("already belongs to spiffe://mesh.local/ns/shop/sa/frontend"));
        assertTrue(fails(GOOD.replace("id: spiffe://mesh.local/ns/shop/sa/backend", "id: spiffe://other/ns/x"))
                .contains("workloads[1].id"));
        assertTrue(fails(GOOD.replace("verdict: auth", "verdict: permit")).contains("unknown verdict 'permit'"));
        assertTrue(fails(GOOD.replace("interface: lxcb1", "interface: lxcb1\n    ifc: x")).contains("unknown field 'ifc'"));
        assertTrue(fails(GOOD.replace("02:00:00:00:01:02", "02:00:00")).contains("workloads[0].mac"));
        assertTrue(fails(GOOD + "tunnelPort: 70000\n").contains("tunnelPort 70000"));
        assertTrue(fails("trustDomain: mesh.local\nnodes: []\n").contains("at least one node"));
        assertTrue(fails(GOOD.replace("trustDomain: mesh.local", "trustDomain: mesh.local\ntrustDomain: x")).contains("not valid YAML"));
    }

    /** As editors and ConfigMap updates do: the poller sees the old or the new file, never half of one. */
    private static void replace(Path f, String content) throws java.io.IOException {
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void fileSourceDeliversValidEditsAndReportsBadOnes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("cluster.yaml");
        Files.writeString(f, GOOD);
        BlockingQueue<Object> events = new ArrayBlockingQueue<>(10);
        try (FileClusterSource src = new FileClusterSource(f, Duration.ofMillis(20))) {
            assertEquals(2, src.load().workloads().size());
            src.watch(events::add, events::add);
            replace(f, GOOD.replace("defaultVerdict: encrypt", "defaultVerdict: deny"));
            Object e1 = events.poll(10, TimeUnit.SECONDS);
            assertEquals(Verdict.DENY, ((ClusterConfig) e1).defaultVerdict());
            replace(f, "nodes: 3");
            Object e2 = events.poll(10, TimeUnit.SECONDS);
            assertTrue(e2 instanceof ClusterConfigException, "a bad edit is reported, got " + e2);
        }
    }
}
