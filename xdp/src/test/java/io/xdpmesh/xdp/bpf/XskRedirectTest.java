package io.xdpmesh.xdp.bpf;

import io.xdpmesh.xdp.testkit.KernelNet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.xdp.xsk.Umem;
import io.xdpmesh.xdp.xsk.UmemConfig;
import io.xdpmesh.xdp.xsk.XskConfig;
import io.xdpmesh.xdp.xsk.XskSocket;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** End to end: the pod program redirects real IPv4 frames into a registered AF_XDP socket. */
@Tag("kernel")
class XskRedirectTest {

    @Test
    void registeredSocketReceivesIpWhileArpStillPasses() throws Exception {
        try (KernelNet net = KernelNet.pair(1500, true)) {
            XdpLoader loader = XdpLoader.forAgent(net.bpffs(), "t8");
            net.inA(() -> {
                XdpAttachment pod = loader.attach(net.vethA, XdpRole.POD);
                try (Umem umem = Umem.create(UmemConfig.defaults().withFrameCount(256));
                        XskSocket xsk = XskSocket.open(umem, XskConfig.of(net.vethA, 0).fillSize(256).completionSize(256).rxSize(256).txSize(256))) {
                    xsk.fill().fillFrom(umem.frames(), 128);
                    pod.xskMap().register(0, xsk.fd());

                    // Nobody answers the echo (the frames go to our socket), so ping fails; ARP is answered.
                    KernelNet.Result ping = net.inNs(net.nsB, 20, "ping -c 3 -i 0.2 -W 1 " + net.ipA);
                    assertTrue(ping.exit() != 0, ping.out());

                    int ipv4 = 0;
                    for (int i = 0; i < 50 && ipv4 < 3; i++) { // bounded: frames are already queued
                        xsk.pollIn(100);
                        int n = xsk.rx().peek(64);
                        int start = xsk.rx().peekedStart();
                        for (int k = 0; k < n; k++) {
                            int addr = (int) xsk.rx().addr(start + k);
                            int type = (umem.buffer().getByte(addr + 12) & 0xff) << 8
                                    | umem.buffer().getByte(addr + 13) & 0xff;
                            int proto = umem.buffer().getByte(addr + 14 + 9) & 0xff;
                            if (type == 0x0800 && proto == 1) {
                                ipv4++;
                            }
                        }
                        xsk.rx().release(n);
                    }
                    assertEquals(3, ipv4, "three ICMP echo requests arrive in the socket");
                    XdpCounters c = pod.counters();
                    assertTrue(c.get(XdpCounter.REDIRECTED) >= 3, c.toString());
                    assertEquals(0, c.get(XdpCounter.DROPPED_NO_SOCKET), c.toString());
                    assertTrue(c.get(XdpCounter.PASSED_ARP) >= 1, c.toString());

                    // Unregistered again: back to fail-closed.
                    pod.xskMap().unregister(0);
                    net.inNs(net.nsB, 10, "ping -c 1 -W 1 " + net.ipA);
                    assertTrue(pod.counter(XdpCounter.DROPPED_NO_SOCKET) >= 1, pod.counters().toString());
                } finally {
                    pod.detach();
                }
                return null;
            });
        }
    }
}
