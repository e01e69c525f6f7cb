package io.xdpmesh.xdp.bpf;

import io.xdpmesh.xdp.testkit.KernelNet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The pod program with no socket bound: fail closed for IP, ARP and ND still reach the host. */
@Tag("kernel")
class PodProgramTest {

    @Test
    void ipIsDroppedAndCountedWhileArpAndNdPass() throws Exception {
        try (KernelNet net = KernelNet.pair(1500, true)) {
            XdpLoader loader = XdpLoader.forAgent(net.bpffs(), "t1");
            XdpAttachment pod = net.inA(() -> loader.attach(net.vethA, XdpRole.POD));
            try {
                assertTrue(net.linkA().contains("prog/xdp"), net.linkA());
                assertFalse(pod.adopted());

                KernelNet.Result ping = net.inNs(net.nsB, 20, "ping -c 3 -i 0.2 -W 1 " + net.ipA);
                assertNotEquals(0, ping.exit(), "IPv4 ping must not get through without a socket: " + ping.out());
                String neigh = KernelNet.sh("ip -n " + net.nsB + " neigh show " + net.ipA);
                assertTrue(neigh.contains("lladdr"), "ARP must have been answered by the host: " + neigh);

                KernelNet.Result ping6 = net.inNs(net.nsB, 20, "ping -6 -c 3 -i 0.2 -W 1 " + net.ip6A);
                assertNotEquals(0, ping6.exit(), "IPv6 ping must not get through without a socket: " + ping6.out());
                String neigh6 = KernelNet.sh("ip -n " + net.nsB + " -6 neigh show " + net.ip6A);
                assertTrue(neigh6.contains("lladdr"), "neighbour discovery must have been answered: " + neigh6);

                XdpCounters c = pod.counters();
                assertTrue(c.get(XdpCounter.DROPPED_NO_SOCKET) >= 6, c.toString());
                assertTrue(c.get(XdpCounter.PASSED_ARP) >= 1, c.toString());
                assertTrue(c.get(XdpCounter.PASSED_ND) >= 1, c.toString());
                assertEquals(0, c.get(XdpCounter.REDIRECTED), c.toString());
                assertEquals(c.get(XdpCounter.PASSED), c.get(XdpCounter.PASSED_ARP) + c.get(XdpCounter.PASSED_ND)
                        + c.get(XdpCounter.PASSED_NON_IP), c.toString());
            } finally {
                net.inA(() -> {
                    pod.detach();
                    return null;
                });
            }
            assertFalse(net.linkA().contains("prog/xdp"), net.linkA());
        }
    }
}
