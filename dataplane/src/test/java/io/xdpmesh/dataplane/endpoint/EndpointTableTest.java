package io.xdpmesh.dataplane.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.dataplane.cluster.ClusterConfig;
import io.xdpmesh.dataplane.cluster.NodeSpec;
import io.xdpmesh.dataplane.cluster.WorkloadSpec;
import io.xdpmesh.dataplane.policy.Verdict;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointTableTest {
    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void looksUpEveryAddressOfEveryWorkload() throws Exception {
        List<NodeSpec> nodes = List.of(new NodeSpec("a", "upa", ip("10.99.0.1")), new NodeSpec("b", "upb", ip("10.99.0.2")));
        List<WorkloadSpec> ws = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ws.add(new WorkloadSpec("spiffe://td/ns/n/sa/s" + (i % 300), i % 2 == 0 ? "a" : "b",
                    List.of(ip("10.98." + (i / 250) + "." + (i % 250)), ip("fd00::" + Integer.toHexString(i + 1))),
                    "lxc" + i, i == 0 ? "02:00:00:00:00:07" : null));
        }
        EndpointTable t = EndpointTable.build(new ClusterConfig("td", 51871, Verdict.DENY, nodes, ws, List.of()), "b");
        assertEquals(300, t.identities().size());
        for (int i = 0; i < 1000; i++) {
            for (InetAddress a : ws.get(i).ips()) {
                int e = t.lookup(EndpointTable.hi(a), EndpointTable.lo(a));
                assertEquals(i, e, "address " + a);
                assertEquals("spiffe://td/ns/n/sa/s" + (i % 300), t.identities().get(t.identityOf(e)));
                assertEquals(i % 2 == 1, t.isLocal(e));
            }
        }
        assertEquals(EndpointTable.MISS, t.lookup(EndpointTable.hi(ip("10.97.0.1")), EndpointTable.lo(ip("10.97.0.1"))));
        assertEquals(EndpointTable.MISS, t.lookup(EndpointTable.hi(ip("fd00::ffff")), EndpointTable.lo(ip("fd00::ffff"))));
        assertEquals(0x020000000007L, t.macOf(0));
        assertEquals(-1, t.macOf(1));
        assertTrue(t.identityOnNode(t.identityNumber("spiffe://td/ns/n/sa/s1"), 1));
        assertFalse(t.identityOnNode(t.identityNumber("spiffe://td/ns/n/sa/s299"), 0));
    }

    @Test
    void unknownLocalNodeIsAClearError() throws Exception {
        ClusterConfig c = new ClusterConfig("td", 51871, Verdict.DENY,
                List.of(new NodeSpec("a", "upa", ip("10.99.0.1"))), List.of(), List.of());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EndpointTable.build(c, "z"))
                .getMessage().contains("'z'"));
    }
}
