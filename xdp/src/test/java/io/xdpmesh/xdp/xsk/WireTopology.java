package io.xdpmesh.xdp.xsk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.xdpmesh.xdp.bpf.XdpAttachment;
import io.xdpmesh.xdp.bpf.XdpRole;
import io.xdpmesh.xdp.testkit.KernelNet;
import io.xdpmesh.xdp.xsk.loop.Wire;

/**
 * Client namespace c and server namespace s whose only path is a Java {@link Wire} in namespace m:
 * two XSKs on one shared UMEM, the pod program on both of m's interfaces. Endpoints compute TCP
 * checksums in software (nobody completes partial ones after an XSK); the server side has GRO on.
 */
final class WireTopology {
    record Run(Wire wire, String iperf, XskStatistics client, XskStatistics server) {
    }

    private WireTopology() {
    }

    /** Builds the topology at mtu, pings through the wire, runs iperf3 TCP for 2 s; bounded. */
    static Run pingAndTcp(KernelNet net, int mtu, boolean scatterGather) throws Exception {
        String c = net.ns("c");
        String m = net.ns("m");
        String s = net.ns("s");
        String vc = net.prefix + "vc";
        String mc = net.prefix + "mc";
        String vs = net.prefix + "vs";
        String ms = net.prefix + "ms";
        net.veth(c, vc, m, mc, mtu);
        net.veth(s, vs, m, ms, mtu);
        KernelNet.sh("ip netns exec " + c + " ethtool -K " + vc + " tx off");
        KernelNet.sh("ip netns exec " + s + " ethtool -K " + vs + " tx off gro on");
        net.addr(c, vc, 1);
        net.addr(s, vs, 2);
        KernelNet.sh("ip -n " + c + " neigh add " + net.ip(2) + " lladdr " + net.mac(s, vs) + " dev " + vc);
        KernelNet.sh("ip -n " + s + " neigh add " + net.ip(1) + " lladdr " + net.mac(c, vc) + " dev " + vs);
        XdpAttachment attC = net.attach(m, mc, XdpRole.POD);
        XdpAttachment attS = net.attach(m, ms, XdpRole.POD);
        Umem umem = net.own(net.in(m, () -> Umem.create(UmemConfig.defaults().withFrameCount(8192))));
        XskSocket x = net.own(net.in(m, () -> XskSocket.open(umem,
                XskConfig.of(mc, 0).fillSize(2048).scatterGather(scatterGather))));
        XskSocket y = net.own(net.in(m, () -> XskSocket.open(umem,
                XskConfig.of(ms, 0).fillSize(2048).scatterGather(scatterGather))));
        assertFalse(y.sharesQueueRings());
        attC.xskMap().register(0, x.fd());
        attS.xskMap().register(0, y.fd());
        Wire wire = new Wire(x, y, umem.frames(), 64);
        AtomicBoolean stop = new AtomicBoolean();
        Thread loop = LargeFrameKernelTest.spin(wire, stop);
        Process server = null;
        try {
            KernelNet.Result ping = KernelNet.run(30, "ip netns exec " + c + " ping -c 5 -i 0.2 -W 2 " + net.ip(2));
            assertEquals(0, ping.exit(), ping.out());
            server = new ProcessBuilder("ip", "netns", "exec", s, "iperf3", "-s", "-1", "-B", net.ip(2))
                    .redirectErrorStream(true).start();
            KernelNet.Result iperf = null;
            for (int i = 0; i < 50; i++) {
                iperf = KernelNet.run(30, "ip netns exec " + c + " iperf3 -c " + net.ip(2) + " -t 2 -f m");
                if (iperf.exit() == 0 || !iperf.out().contains("Connection refused")) {
                    break;
                }
                Thread.sleep(100);
            }
            assertEquals(0, iperf.exit(), iperf.out());
            assertTrue(iperf.out().contains("receiver"), iperf.out());
            stop.set(true);
            loop.join(10_000);
            return new Run(wire, iperf.out(), x.statistics(new XskStatistics()), y.statistics(new XskStatistics()));
        } finally {
            stop.set(true);
            if (server != null) {
                server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            loop.join(10_000);
        }
    }
}
