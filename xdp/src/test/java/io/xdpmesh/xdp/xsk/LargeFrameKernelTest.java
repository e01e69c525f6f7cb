package io.xdpmesh.xdp.xsk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.xdpmesh.xdp.bpf.XdpAttachment;
import io.xdpmesh.xdp.bpf.XdpRole;
import io.xdpmesh.xdp.sys.XdpAbi;
import io.xdpmesh.xdp.testkit.KernelNet;
import io.xdpmesh.xdp.xsk.loop.Echo;
import io.xdpmesh.xdp.xsk.loop.Forwarder;
import io.xdpmesh.xdp.xsk.loop.Wire;

/**
 * Large frames on veth (DESIGN.md): with the xdp.frags program attached and the pod-side MTU at
 * 9000 and 65000, frames larger than one UMEM frame reach an XDP_USE_SG socket as descriptor
 * chains and go back out as chains; without XDP_USE_SG the kernel drops them and counts them in
 * XDP_STATISTICS rx_dropped.
 */
@Tag("kernel")
class LargeFrameKernelTest {
    private static final int UDP_PORT = 7;

    /** Runs a loop on its own thread until stopped; bounded to 120 s. */
    static Thread spin(Forwarder f, AtomicBoolean stop) {
        Thread t = new Thread(() -> {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!stop.get() && System.nanoTime() < end) {
                if (f.doWork() == 0) {
                    Thread.onSpinWait();
                }
            }
        }, f.roleName());
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void largeFramesArriveAndLeaveAsChainsOnlyWithScatterGather() throws Exception {
        try (KernelNet net = KernelNet.pair(9000, false)) {
            XdpAttachment att = net.attach(net.nsA, net.vethA, XdpRole.POD);

            // Without XDP_USE_SG: a 8028-byte ICMP echo cannot fit one 4 KiB frame: dropped, counted.
            try (Umem small = net.inA(() -> Umem.create(UmemConfig.defaults().withFrameCount(512)));
                    XskSocket plain = net.inA(() -> XskSocket.open(small, XskConfig.of(net.vethA, 0)
                            .fillSize(256).rxSize(256).txSize(256).completionSize(256)))) {
                assertTrue(!plain.scatterGather());
                plain.fill().fillFrom(small.frames(), 256);
                att.xskMap().register(0, plain.fd());
                KernelNet.Result ping = net.inNs(net.nsB, 20, "ping -c 3 -i 0.2 -W 1 -s 8000 " + net.ipA);
                assertTrue(ping.exit() != 0, ping.out());
                XskStatistics st = plain.statistics(new XskStatistics());
                assertTrue(st.rxDropped >= 3, "large frames without XDP_USE_SG are dropped and counted: " + st);
                assertEquals(0, plain.rx().available(64), "nothing of them reached the RX ring");
                System.out.println("without XDP_USE_SG, 3 x ping -s 8000: " + st);
            }

            Umem umem = net.own(net.inA(() -> Umem.create(UmemConfig.defaults().withFrameCount(4096))));
            // The queue's buffer pool of the closed socket is freed in deferred work: EBUSY for a moment.
            XskSocket s = net.own(net.inA(() -> XskTxKernelTest.openRetryingBusy(umem, XskConfig.of(net.vethA, 0)
                    .fillSize(2048).scatterGather(true))));
            assertTrue(s.scatterGather());
            assertEquals("copy", s.mode());
            att.xskMap().register(0, s.fd());

            // The raw chain of one 30000-byte UDP datagram at MTU 65000: lengths, flags, offsets.
            KernelNet.sh("ip -n " + net.nsA + " link set dev " + net.vethA + " mtu 65000");
            KernelNet.sh("ip -n " + net.nsB + " link set dev " + net.vethB + " mtu 65000");
            s.fill().fillFrom(umem.frames(), 1024);
            DatagramChannel ch = net.own(net.in(net.nsB, DatagramChannel::open));
            ch.bind(new InetSocketAddress(net.ipB, 0));
            ch.connect(new InetSocketAddress(net.ipA, UDP_PORT));
            byte[] probe = new byte[30000];
            ThreadLocalRandom.current().nextBytes(probe);
            ch.write(ByteBuffer.wrap(probe));
            List<int[]> chain = new ArrayList<>(); // {len, options, offset in frame}
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            boolean complete = false;
            while (!complete && System.nanoTime() < end) {
                s.pollIn(100);
                RxRing rx = s.rx();
                int n = rx.peekPackets(64);
                int r = rx.peekedStart();
                for (int i = 0; i < n; i++) {
                    long addr = rx.addr(r + i);
                    chain.add(new int[] {rx.len(r + i), rx.options(r + i), (int) (addr & (umem.frameSize() - 1))});
                    umem.frames().free(addr);
                    complete = !rx.continues(r + i);
                }
                rx.release(n);
            }
            int frameLen = 14 + 20 + 8 + probe.length;
            int perFrame = umem.config().rxDataCapacity();
            StringBuilder layout = new StringBuilder();
            int sum = 0;
            for (int i = 0; i < chain.size(); i++) {
                int[] d = chain.get(i);
                sum += d[0];
                layout.append(d[0]).append(d[1] != 0 ? "+CONTD" : "").append("@").append(d[2]).append(' ');
                assertEquals(i < chain.size() - 1 ? XdpAbi.XDP_PKT_CONTD : 0, d[1], "XDP_PKT_CONTD on all but the last");
                assertEquals(XdpAbi.XDP_PACKET_HEADROOM, d[2], "data starts after the kernel's headroom");
                if (i < chain.size() - 1) {
                    assertEquals(perFrame, d[0], "every fragment but the last fills a frame after headroom");
                }
            }
            System.out.println("MTU 65000, one " + frameLen + "-byte frame (UDP " + probe.length + " B) as "
                    + chain.size() + " descriptors: " + layout);
            assertEquals(3840, perFrame);
            assertEquals(frameLen, sum);
            assertEquals((frameLen + perFrame - 1) / perFrame, chain.size());

            // Chains answered as chains: UDP echo of 30000 and 60000 bytes, then ping -s 8000 at MTU 9000.
            Echo echo = new Echo(s, umem.frames(), 64, UDP_PORT);
            AtomicBoolean stop = new AtomicBoolean();
            Thread loop = spin(echo, stop);
            // Allocation of the echo loop per window of 100 echoes of 60000 B, after 300 + 200 echoes
            // for tiered JIT to settle. A deoptimization inside a window rematerializes objects (80 B
            // seen, twice in CI, with no compile time recorded in that window), a one-off; a real
            // per-packet allocation shows in every window. So one clean window of three passes; the
            // strict zero-allocation proof of the loops is the l2fwd/rxdrop/txonly kernel test.
            long[] windowAlloc = new long[3];
            long windowStart = -1;
            try {
                ch.configureBlocking(false);
                ByteBuffer in = ByteBuffer.allocate(65536);
                var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                for (int size : new int[] {30000, 60000}) {
                    int rounds = size == 60000 ? 200 + 100 * windowAlloc.length : 300;
                    for (int i = 0; i < rounds; i++) { // 300 x up to 16 frames: the UMEM (4096) cycles over
                        if (size == 60000 && i >= 200 && i % 100 == 0) {
                            long now = threads.getThreadAllocatedBytes(loop.threadId());
                            if (i > 200) {
                                windowAlloc[i / 100 - 3] = now - windowStart;
                            }
                            windowStart = now;
                        }
                        byte[] msg = new byte[size];
                        ThreadLocalRandom.current().nextBytes(msg);
                        ch.write(ByteBuffer.wrap(msg));
                        in.clear();
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                        while (ch.read(in) <= 0 && System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                        }
                        in.flip();
                        byte[] got = new byte[in.remaining()];
                        in.get(got);
                        assertArrayEquals(msg, got, "UDP datagram of " + size + " B echoed through a chain, #" + i);
                    }
                }
                windowAlloc[windowAlloc.length - 1] = threads.getThreadAllocatedBytes(loop.threadId()) - windowStart;
                System.out.println("echo loop allocation per 100 echoes of 60000 B: " + Arrays.toString(windowAlloc));
                assertEquals(0, Arrays.stream(windowAlloc).min().orElseThrow(),
                        "the echo loop allocated in every window while answering chains: " + Arrays.toString(windowAlloc));

                KernelNet.sh("ip -n " + net.nsA + " link set dev " + net.vethA + " mtu 9000");
                KernelNet.sh("ip -n " + net.nsB + " link set dev " + net.vethB + " mtu 9000");
                KernelNet.Result ping = net.inNs(net.nsB, 30, "ping -c 5 -i 0.2 -W 2 -s 8000 " + net.ipA);
                assertEquals(0, ping.exit(), ping.out());
                assertTrue(ping.out().contains(" 0% packet loss"), ping.out());
            } finally {
                stop.set(true);
                loop.join(10_000);
            }
            int udp = 300 + 200 + 100 * windowAlloc.length; // 30000 B, then 60000 B
            assertEquals(udp, echo.udpEchoes());
            assertTrue(echo.icmpEchoes() >= 5, "ICMP answered by Java: " + echo.icmpEchoes());
            assertEquals(udp + 5, echo.chains(), "every large packet arrived as a chain");
            assertEquals((14 + 20 + 8 + 60000 + 3839) / 3840, echo.longestChain());
            XskStatistics st = s.statistics(new XskStatistics());
            assertEquals(0, st.rxDropped + st.rxInvalidDescs + st.txInvalidDescs, st.toString());
            System.out.println("echo: " + echo.chains() + " chains, longest " + echo.longestChain()
                    + " descriptors; " + st);
        }
    }

    /** TCP between two namespaces through a Java wire at MTU 65000: the segments are chains. */
    @Test
    void tcpSuperframesCrossASharedUmemWireAsChains() throws Exception {
        try (KernelNet net = new KernelNet()) {
            WireTopology.Run run = WireTopology.pingAndTcp(net, 65000, true);
            Wire wire = run.wire();
            XskStatistics sx = run.client();
            XskStatistics sy = run.server();
            System.out.println("iperf3 TCP through the Java wire at MTU 65000 (XDP_USE_SG):\n" + run.iperf());
            System.out.println("wire: " + wire.rxPackets() + " packets, " + wire.chains() + " chains, longest "
                    + wire.longestChain() + " descriptors (" + wire.rxBytes() / Math.max(1, wire.rxPackets())
                    + " B/packet); client side " + sx + "; server side " + sy);
            assertTrue(wire.chains() > 1000, "TCP superframes crossed as chains: " + wire.chains());
            assertTrue(wire.longestChain() >= 3, "frames of more than two UMEM frames: " + wire.longestChain());
            assertEquals(0, sx.txInvalidDescs + sy.txInvalidDescs, "every chain was a valid TX chain");
        }
    }
}
