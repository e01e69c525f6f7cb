package io.xdpmesh.xdp.xsk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.xdpmesh.xdp.bpf.XdpAttachment;
import io.xdpmesh.xdp.bpf.XdpLoader;
import io.xdpmesh.xdp.bpf.XdpRole;
import io.xdpmesh.xdp.sys.NetNs;
import io.xdpmesh.xdp.xsk.loop.Echo;
import io.xdpmesh.xdp.xsk.loop.Forwarder;
import io.xdpmesh.xdp.xsk.loop.Frames;
import io.xdpmesh.xdp.xsk.loop.L2Fwd;
import io.xdpmesh.xdp.xsk.loop.RxDrop;
import io.xdpmesh.xdp.xsk.loop.TxOnly;
import io.xdpmesh.xdp.xsk.loop.Wire;

/** Real traffic through the real XDP program (pod role) into Java loops, and back. */
@Tag("kernel")
class XskXdpKernelTest {

    /** Runs a loop on its own thread until stopped (bounded by the caller's timeouts). */
    private static Thread spin(Forwarder f, AtomicBoolean stop) {
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

    private static XdpAttachment attachPod(KernelNet net, String ns, String dev) throws Exception {
        try (NetNs in = NetNs.enter(ns)) {
            return XdpLoader.forAgent(net.bpffs(), net.prefix + ns.substring(ns.length() - 1)).attach(dev, XdpRole.POD);
        }
    }

    private static void detach(String ns, XdpAttachment att) throws Exception {
        if (att != null) {
            try (NetNs in = NetNs.enter(ns)) {
                att.detach();
            }
        }
    }

    @Test
    void javaEchoAnswersRealPingAndUdp() throws Exception {
        try (KernelNet net = new KernelNet()) {
            String a = net.ns("a");
            String b = net.ns("b");
            String va = net.prefix + "va";
            String vb = net.prefix + "vb";
            net.veth(a, va, b, vb, 1500);
            net.addr(a, va, 1);
            net.addr(b, vb, 2);
            XdpAttachment att = null;
            Umem umem = null;
            XskSocket s = null;
            AtomicBoolean stop = new AtomicBoolean();
            Thread loop = null;
            try {
                att = attachPod(net, a, va);
                try (NetNs in = NetNs.enter(a)) {
                    umem = Umem.create(UmemConfig.defaults().withFrameCount(4096));
                    s = XskSocket.open(umem, XskConfig.of(va, 0).fillSize(2048));
                }
                att.xskMap().register(0, s.fd());
                Echo echo = new Echo(s, umem.frames(), 64, 7);
                loop = spin(echo, stop);

                KernelNet.Result ping = KernelNet.run(30, "ip netns exec " + b + " ping -c 5 -i 0.2 -W 2 " + net.ip(1));
                assertEquals(0, ping.exit(), ping.out());
                assertTrue(ping.out().contains(" 0% packet loss"), ping.out());

                DatagramChannel ch;
                try (NetNs in = NetNs.enter(b)) {
                    ch = DatagramChannel.open();
                }
                try {
                    ch.bind(new InetSocketAddress(net.ip(2), 0));
                    ch.connect(new InetSocketAddress(net.ip(1), 7));
                    ch.configureBlocking(false);
                    ByteBuffer out = ByteBuffer.allocate(100);
                    ByteBuffer in = ByteBuffer.allocate(2048);
                    int answered = 0;
                    for (int i = 0; i < 100; i++) {
                        out.clear();
                        out.putInt(i).put(new byte[96]).flip();
                        ch.write(out);
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                        in.clear();
                        while (ch.read(in) <= 0 && System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                        }
                        in.flip();
                        if (in.remaining() == 100 && in.getInt(0) == i) {
                            answered++;
                        } else {
                            break;
                        }
                    }
                    assertEquals(100, answered, "every UDP datagram echoed by the Java loop");
                } finally {
                    ch.close();
                }
                stop.set(true);
                loop.join(10_000);
                assertTrue(echo.icmpEchoes() >= 5, "ICMP answered by Java, not the kernel: " + echo.icmpEchoes());
                assertEquals(100, echo.udpEchoes());
            } finally {
                stop.set(true);
                if (loop != null) {
                    loop.join(10_000);
                }
                if (s != null) {
                    s.close();
                }
                if (umem != null) {
                    umem.close();
                }
                detach(a, att);
            }
            String link = KernelNet.sh("ip -n " + a + " link show " + va);
            assertFalse(link.contains("prog/xdp"), "no program left attached: " + link);
        }
    }

    /**
     * Generator (TX on vb) -> veth -> XDP on va -> Java l2fwd (MAC swap) -> veth -> XDP on vb -> the
     * generator socket's RX. All three loops run in lockstep on this thread with a bounded number in
     * flight, so nothing may be lost: exactly N frames come back. Millions of frames wrap every ring
     * thousands of times. The steady-state part must allocate 0 bytes on this thread and see no GC.
     */
    @Test
    void l2fwdRoundTripsMillionsOfFramesWithoutLossOrAllocation() throws Exception {
        try (KernelNet net = new KernelNet()) {
            String a = net.ns("a");
            String b = net.ns("b");
            String va = net.prefix + "va";
            String vb = net.prefix + "vb";
            net.veth(a, va, b, vb, 1500);
            net.addr(a, va, 1);
            net.addr(b, vb, 2);
            long macA = Frames.parseMac(net.mac(a, va));
            long macB = Frames.parseMac(net.mac(b, vb));
            int ipA = Frames.parseIp4(net.ip(1));
            int ipB = Frames.parseIp4(net.ip(2));
            XdpAttachment attA = null;
            XdpAttachment attB = null;
            Umem umemA = null;
            Umem umemB = null;
            XskSocket sa = null;
            XskSocket sb = null;
            try {
                attA = attachPod(net, a, va);
                attB = attachPod(net, b, vb);
                try (NetNs in = NetNs.enter(a)) {
                    umemA = Umem.create(UmemConfig.defaults().withFrameCount(4096));
                    sa = XskSocket.open(umemA, XskConfig.of(va, 0).fillSize(2048));
                }
                try (NetNs in = NetNs.enter(b)) {
                    umemB = Umem.create(UmemConfig.defaults().withFrameCount(4096));
                    sb = XskSocket.open(umemB, XskConfig.of(vb, 0).fillSize(1024));
                }
                attA.xskMap().register(0, sa.fd());
                attB.xskMap().register(0, sb.fd());

                long total = 2_000_000;
                L2Fwd fwd = new L2Fwd(sa, umemA.frames(), 64);
                TxOnly gen = new TxOnly(sb, umemB.frames(), (f, cap, seq) -> {
                    int len = Frames.writeUdp4(f, macB, macA, ipB, ipA, 1024 + (int) (seq & 0x3ff), 9, 18);
                    return len;
                }, 32, total, 0);
                RxDrop sink = new RxDrop(sb, umemB.frames(), 64);

                var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                long tid = Thread.currentThread().threadId();
                long warmup = 200_000;
                long allocStart = -1;
                long gcStart = -1;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
                long now = 0;
                long lastBack = -1;
                long t0 = System.nanoTime();
                long stallEnd = Long.MAX_VALUE;
                while (sink.rxPackets() < total && (now = System.nanoTime()) < deadline && now < stallEnd) {
                    if (sink.rxPackets() != lastBack) {
                        lastBack = sink.rxPackets();
                        stallEnd = now + TimeUnit.SECONDS.toNanos(5);
                    }
                    if (allocStart < 0 && sink.rxPackets() >= warmup) {
                        gcStart = gcCount();
                        allocStart = threads.getThreadAllocatedBytes(tid);
                    }
                    // veth's XDP receive queue holds 256 frames: stay well below it
                    if (gen.txPackets() - sink.rxPackets() < 128) {
                        gen.doWork();
                    }
                    fwd.doWork();
                    sink.doWork();
                }
                long allocated = threads.getThreadAllocatedBytes(tid) - allocStart;
                System.out.printf("l2fwd lockstep round trip (gen+l2fwd+sink on one thread): %d frames, %.2f Mpps, %d kicks%n",
                        sink.rxPackets(), sink.rxPackets() / ((now - t0) / 1e3), gen.kicks() + fwd.kicks() + sink.kicks());
                long gcs = gcCount() - gcStart;
                XskStatistics st = sa.statistics(new XskStatistics());
                XskStatistics stB = sb.statistics(new XskStatistics());
                assertTrue(now < deadline && now < stallEnd, "lost or stuck: sent " + gen.txPackets() + " forwarded "
                        + fwd.txPackets() + " back " + sink.rxPackets() + "; l2fwd socket " + st + "; generator socket "
                        + stB + "; veth " + KernelNet.sh("ip -n " + a + " -s link show " + va));
                assertEquals(total, gen.txPackets());
                assertEquals(total, fwd.rxPackets(), "l2fwd saw every frame");
                assertEquals(total, fwd.txPackets());
                assertEquals(total, sink.rxPackets(), "every frame came back MAC-swapped through both XDP programs");
                assertEquals(0, allocated, "bytes allocated by the RX/TX loops in steady state");
                assertEquals(0, gcs, "GCs during the steady state");
                assertEquals(0, st.rxDropped + st.rxInvalidDescs + st.txInvalidDescs + st.rxRingFull, st.toString());
                assertTrue(Integer.toUnsignedLong(sa.rx().sharedConsumer()) == total % (1L << 32));
            } finally {
                if (sa != null) {
                    sa.close();
                }
                if (sb != null) {
                    sb.close();
                }
                if (umemA != null) {
                    umemA.close();
                }
                if (umemB != null) {
                    umemB.close();
                }
                detach(a, attA);
                detach(b, attB);
            }
        }
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean g : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, g.getCollectionCount());
        }
        return n;
    }

    /**
     * Real ping and TCP (iperf3) between two namespaces whose only path is a Java wire: two XSKs on
     * one shared UMEM in a middle namespace, frames moved between them by descriptor, no copy.
     */
    @Test
    void tcpAndPingThroughASharedUmemWire() throws Exception {
        try (KernelNet net = new KernelNet()) {
            String c = net.ns("c");
            String m = net.ns("m");
            String s = net.ns("s");
            String vc = net.prefix + "vc";
            String mc = net.prefix + "mc";
            String vs = net.prefix + "vs";
            String ms = net.prefix + "ms";
            net.veth(c, vc, m, mc, 1500);
            net.veth(s, vs, m, ms, 1500);
            // The endpoints' kernels would leave TCP checksums to "offload" (CHECKSUM_PARTIAL), which
            // nobody completes once the frame goes through an XSK: compute them in software.
            KernelNet.sh("ip netns exec " + c + " ethtool -K " + vc + " tx off");
            KernelNet.sh("ip netns exec " + s + " ethtool -K " + vs + " tx off");
            net.addr(c, vc, 1);
            net.addr(s, vs, 2);
            KernelNet.sh("ip -n " + c + " neigh add " + net.ip(2) + " lladdr " + net.mac(s, vs) + " dev " + vc);
            KernelNet.sh("ip -n " + s + " neigh add " + net.ip(1) + " lladdr " + net.mac(c, vc) + " dev " + vs);
            XdpAttachment attC = null;
            XdpAttachment attS = null;
            Umem umem = null;
            XskSocket x = null;
            XskSocket y = null;
            AtomicBoolean stop = new AtomicBoolean();
            Thread loop = null;
            Process server = null;
            try {
                attC = attachPod(net, m, mc);
                try (NetNs in = NetNs.enter(m)) {
                    attS = XdpLoader.forAgent(net.bpffs(), net.prefix + "m2").attach(ms, XdpRole.POD);
                    umem = Umem.create(UmemConfig.defaults().withFrameCount(8192));
                    x = XskSocket.open(umem, XskConfig.of(mc, 0).fillSize(2048));
                    y = XskSocket.open(umem, XskConfig.of(ms, 0).fillSize(2048));
                }
                assertFalse(y.sharesQueueRings());
                attC.xskMap().register(0, x.fd());
                attS.xskMap().register(0, y.fd());
                Wire wire = new Wire(x, y, umem.frames(), 64);
                loop = spin(wire, stop);

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
                System.out.println("iperf3 TCP through the Java wire:\n" + iperf.out());
                stop.set(true);
                loop.join(10_000);
                assertTrue(wire.rxPackets() > 1000, "TCP segments went through Java: " + wire.rxPackets());
            } finally {
                stop.set(true);
                if (server != null) {
                    server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
                if (loop != null) {
                    loop.join(10_000);
                }
                if (y != null) {
                    y.close();
                }
                if (x != null) {
                    x.close();
                }
                if (umem != null) {
                    umem.close();
                }
                detach(m, attC);
                detach(m, attS);
            }
        }
    }
}
