package io.xdpmesh.dataplane.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.dataplane.counters.DropReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two dataplane threads per node over veths with 2 RX/TX queues (uplinks, bridge ports and pod
 * veths): thread t serves queue t of every interface with its own UMEM. Several TCP flows between
 * pods spread over both pod queues (veth picks the peer's RX queue from the sender's TX queue, a
 * per-flow hash; the uplinks are one veth pair, so what thread t of one node sends on uplink queue t
 * arrives on queue t of the other): both threads of both nodes seal and open, the traffic arrives intact (TCP)
 * and encrypted (sealed/opened as WireGuard type 4), and nothing is dropped: no receive window is
 * found on the wrong thread, no frame is unaccounted.
 */
@Tag("kernel")
class MultiThreadDataplaneKernelTest {
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

    @Test
    void twoThreadsPerNodeForwardSeveralFlowsOverBothQueues() throws Exception {
        try (TwoNodeMesh mesh = new TwoNodeMesh("encrypt", Duration.ofSeconds(2), "--pod-mtu 1420 --queues 2 --direct", "xt", 2)) {
            assertEquals(2, mesh.a.threads());
            mesh.install(1, 1);
            mesh.settle();
            Shell.Result ping = Shell.run(30, "ip netns exec " + mesh.pod(1, 1) + " ping -c 3 -i 0.2 -W 2 " + mesh.v4(2, 1));
            assertEquals(0, ping.exit(), ping.out() + "\nA:" + perThread(mesh.a) + "\nB:" + perThread(mesh.b));
            Path log = Files.createTempFile("iperf-s", ".log");
            Process server = Shell.background("ip netns exec " + mesh.pod(2, 1) + " iperf3 -s -1 -B " + mesh.v4(2, 1)
                    + " -p 5301", log);
            String out;
            try {
                Thread.sleep(300);
                // 8 connections: the chance that all of them hash to one queue is 2^-7
                Shell.Result r = Shell.run(40, "ip netns exec " + mesh.pod(1, 1) + " timeout 30 iperf3 -c "
                        + mesh.v4(2, 1) + " -p 5301 -t 2 -P 8");
                out = r.out();
                assertEquals(0, r.exit(), out + "\nA:" + perThread(mesh.a) + "\nB:" + perThread(mesh.b));
            } finally {
                server.destroyForcibly().waitFor();
                Files.deleteIfExists(log);
            }
            Thread.sleep(200); // let the threads reach an idle audit
            String summary = "\nA:" + perThread(mesh.a) + "\nB:" + perThread(mesh.b);
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
        }
    }
}
