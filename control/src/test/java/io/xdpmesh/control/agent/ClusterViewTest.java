package io.xdpmesh.control.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.dataplane.authcache.AuthType;
import io.xdpmesh.dataplane.authcache.IdentityHash;
import io.xdpmesh.dataplane.cluster.ClusterFileParser;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ClusterViewTest {
    static final String YAML = """
            trustDomain: v.test
            defaultVerdict: deny
            nodes:
              - name: n1
                uplink: u1
                address: "10.9.0.1"
              - name: n2
                uplink: u2
                address: "10.9.0.2"
            workloads:
              - id: spiffe://v.test/ns/a/sa/web
                node: n1
                ips: ["10.9.1.1"]
                interface: l1
              - id: spiffe://v.test/ns/a/sa/db
                node: n2
                ips: ["10.9.2.1"]
                interface: l2
              - id: spiffe://v.test/ns/a/sa/log
                node: n2
                ips: ["10.9.2.2"]
                interface: l3
            policy:
              - from: spiffe://v.test/ns/a/sa/web
                to: spiffe://v.test/ns/a/sa/db
                verdict: encrypt
              - from: spiffe://v.test/ns/a/sa/log
                to: spiffe://v.test/ns/a/sa/web
                verdict: auth
            """;

    ClusterView view(String node) throws Exception {
        return new ClusterView(ClusterFileParser.parse(YAML, "test"), node);
    }

    @Test
    void nodeBindingFollowsTheClusterFile() throws Exception {
        ClusterView v = view("n1");
        InetAddress n1 = InetAddress.getByName("10.9.0.1");
        InetAddress n2 = InetAddress.getByName("10.9.0.2");
        assertTrue(v.placedOn(SpiffeId.parse("spiffe://v.test/ns/a/sa/db"), n2));
        assertFalse(v.placedOn(SpiffeId.parse("spiffe://v.test/ns/a/sa/db"), n1), "db is not on n1");
        assertFalse(v.placedOn(SpiffeId.parse("spiffe://v.test/ns/a/sa/nobody"), n2), "unknown identity");
        assertFalse(v.placedOn(SpiffeId.parse("spiffe://v.test/ns/a/sa/db"), InetAddress.getByName("10.9.0.3")), "unknown node");
        assertEquals("n2", v.nodeByAddress(n2).orElseThrow().name());
        assertTrue(v.isLocalWorkload("spiffe://v.test/ns/a/sa/web"));
        assertFalse(v.isLocalWorkload("spiffe://v.test/ns/a/sa/db"));
    }

    @Test
    void authTypeComesFromEitherDirectionOfThePair() throws Exception {
        ClusterView v = view("n2");
        String web = "spiffe://v.test/ns/a/sa/web";
        String db = "spiffe://v.test/ns/a/sa/db";
        String log = "spiffe://v.test/ns/a/sa/log";
        assertEquals(AuthType.SPIFFE_ENCRYPT, v.authType(web, db));
        assertEquals(AuthType.SPIFFE_ENCRYPT, v.authType(db, web), "the responder side of web -> db");
        assertEquals(AuthType.SPIFFE_AUTH, v.authType(log, web));
        assertNull(v.authType(db, log), "deny both ways: no session needed");
        assertEquals(db, v.name(IdentityHash.of(db)));
        assertEquals("n1", v.name(IdentityHash.of("n1")));
        assertNull(v.name(42));
    }

    @Test
    void aNodeNotInTheFileIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> view("n9"));
        assertTrue(e.getMessage().contains("n9"), e.getMessage());
    }
}
