package io.xdpmesh.xdp.bpf;

import io.xdpmesh.xdp.testkit.KernelNet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The uplink program: the node's own traffic passes untouched, tunnel UDP without a socket is dropped. */
@Tag("kernel")
class UplinkProgramTest {

    @Test
    void ownTrafficPassesAndTunnelUdpIsDroppedWithoutSocket() throws Exception {
        try (KernelNet net = KernelNet.pair(1500, true)) {
            XdpLoader loader = XdpLoader.forAgent(net.bpffs(), "t2");
            XdpAttachment up = net.inA(() -> loader.attach(net.vethA, XdpRole.UPLINK));
            try {
                assertTrue(net.linkA().contains("prog/xdp"), net.linkA());
                assertEquals(XdpConfig.DEFAULT, up.config());

                KernelNet.Result ping = net.inNs(net.nsB, 20, "ping -c 3 -i 0.2 -W 2 " + net.ipA);
                assertEquals(0, ping.exit(), ping.out());
                KernelNet.Result ping6 = net.inNs(net.nsB, 20, "ping -6 -c 2 -i 0.2 -W 2 " + net.ip6A);
                assertEquals(0, ping6.exit(), ping6.out());

                String tcp = net.receiveOnA("tcp", false, 4250,
                        "echo hello-tcp | ip netns exec " + net.nsB + " nc -N -w 3 " + net.ipA + " 4250");
                assertTrue(tcp.contains("hello-tcp"), "TCP 4250 must pass untouched: " + tcp);

                long passedBefore = up.counter(XdpCounter.PASSED_NOT_TUNNEL);
                assertTrue(up.counter(XdpCounter.PASSED) >= 10 && passedBefore >= 10, up.counters().toString());

                assertTrue(net.udpToA(false, 51872, "other-port").contains("other-port"));
                assertEquals("", net.udpToA(false, 51871, "tunnel-v4").strip(), "tunnel UDP must not reach the kernel");
                assertEquals("", net.udpToA(true, 51871, "tunnel-v6").strip(), "tunnel UDP must not reach the kernel");
                assertEquals(2, up.counter(XdpCounter.DROPPED_NO_SOCKET), up.counters().toString());
                assertEquals(0, up.counter(XdpCounter.REDIRECTED));

                // The tunnel port comes from the config map.
                up.configure(new XdpConfig(40000, false));
                assertEquals(new XdpConfig(40000, false), up.config());
                assertTrue(net.udpToA(false, 51871, "old-port").contains("old-port"));
                assertEquals("", net.udpToA(false, 40000, "new-port").strip());
                assertEquals(3, up.counter(XdpCounter.DROPPED_NO_SOCKET), up.counters().toString());

                // Optional policy: pass tunnel UDP while no socket is bound.
                up.configure(new XdpConfig(40000, true));
                assertTrue(net.udpToA(false, 40000, "passed").contains("passed"));
                assertEquals(1, up.counter(XdpCounter.PASSED_NO_SOCKET), up.counters().toString());
                assertEquals(3, up.counter(XdpCounter.DROPPED_NO_SOCKET));
            } finally {
                net.inA(() -> {
                    up.detach();
                    return null;
                });
            }
            assertFalse(net.linkA().contains("prog/xdp"), net.linkA());
        }
    }
}
