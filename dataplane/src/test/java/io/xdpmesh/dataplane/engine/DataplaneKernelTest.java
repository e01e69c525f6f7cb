package io.xdpmesh.dataplane.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.dataplane.counters.DropReason;
import java.time.Duration;
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
}
