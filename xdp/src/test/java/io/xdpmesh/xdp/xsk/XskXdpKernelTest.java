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
import io.xdpmesh.xdp.bpf.XdpRole;
import io.xdpmesh.xdp.testkit.KernelNet;
import io.xdpmesh.xdp.xsk.loop.Echo;
import io.xdpmesh.xdp.xsk.loop.Frames;
import io.xdpmesh.xdp.xsk.loop.L2Fwd;
import io.xdpmesh.xdp.xsk.loop.RxDrop;
import io.xdpmesh.xdp.xsk.loop.TxOnly;

/** Real traffic through the real XDP program (pod role) into Java loops, and back. */
@Tag("kernel")
class XskXdpKernelTest {

    @Test
    void javaEchoAnswersRealPingAndUdp() throws Exception {
        try (KernelNet net = KernelNet.pair(1500, false)) {
            XdpAttachment att = net.attach(net.nsA, net.vethA, XdpRole.POD);
            Umem umem = net.own(net.inA(() -> Umem.create(UmemConfig.defaults().withFrameCount(4096))));
            XskSocket s = net.own(net.inA(() -> XskSocket.open(umem, XskConfig.of(net.vethA, 0).fillSize(2048))));
            AtomicBoolean stop = new AtomicBoolean();
            Thread loop = null;
            try {
                att.xskMap().register(0, s.fd());
                Echo echo = new Echo(s, umem.frames(), 64, 7);
                loop = LargeFrameKernelTest.spin(echo, stop);

                KernelNet.Result ping = net.inNs(net.nsB, 30, "ping -c 5 -i 0.2 -W 2 " + net.ipA);
                assertEquals(0, ping.exit(), ping.out());
                assertTrue(ping.out().contains(" 0% packet loss"), ping.out());

                DatagramChannel ch = net.in(net.nsB, DatagramChannel::open);
                try {
                    ch.bind(new InetSocketAddress(net.ipB, 0));
                    ch.connect(new InetSocketAddress(net.ipA, 7));
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
            }
            s.close();
            umem.close();
            net.in(net.nsA, () -> {
                att.detach();
                return null;
            });
            String link = KernelNet.sh("ip -n " + net.nsA + " link show " + net.vethA);
            assertFalse(link.contains("prog/xdp"), "no program left attached: " + link);
        }
    }

    /**
     * Generator (TX on vb) -> veth -> XDP on va -> Java l2fwd (MAC swap) -> veth -> XDP on vb -> the
     * generator socket's RX. All three loops run in lockstep on this thread with a bounded number in
     * flight, so nothing may be lost: exactly N frames come back. Millions of frames wrap every ring
     * thousands of times. After warm-up, txonly, l2fwd and rxdrop together (so each of them) must
     * allocate 0 bytes on this thread and no GC may run. Idle, none of
     * them may make a syscall (need_wakeup: the kernel is asked only when it wants to be).
     */
    @Test
    void l2fwdRoundTripsMillionsOfFramesWithoutLossOrAllocation() throws Exception {
        try (KernelNet net = KernelNet.pair(1500, false)) {
            long macA = Frames.parseMac(net.mac(net.nsA, net.vethA));
            long macB = Frames.parseMac(net.mac(net.nsB, net.vethB));
            int ipA = Frames.parseIp4(net.ipA);
            int ipB = Frames.parseIp4(net.ipB);
            XdpAttachment attA = net.attach(net.nsA, net.vethA, XdpRole.POD);
            XdpAttachment attB = net.attach(net.nsB, net.vethB, XdpRole.POD);
            Umem umemA = net.own(net.inA(() -> Umem.create(UmemConfig.defaults().withFrameCount(4096))));
            XskSocket sa = net.own(net.inA(() -> XskSocket.open(umemA, XskConfig.of(net.vethA, 0).fillSize(2048))));
            Umem umemB = net.own(net.in(net.nsB, () -> Umem.create(UmemConfig.defaults().withFrameCount(4096))));
            XskSocket sb = net.own(net.in(net.nsB,
                    () -> XskSocket.open(umemB, XskConfig.of(net.vethB, 0).fillSize(1024))));
            attA.xskMap().register(0, sa.fd());
            attB.xskMap().register(0, sb.fd());

            long total = 2_000_000;
            L2Fwd fwd = new L2Fwd(sa, umemA.frames(), 64);
            TxOnly gen = new TxOnly(sb, umemB.frames(), (f, cap, seq) -> {
                int len = Frames.writeUdp4(f, macB, macA, ipB, ipA, 1024 + (int) (seq & 0x3ff), 9, 18);
                return len;
            }, 32, total, 0);
            RxDrop sink = new RxDrop(sb, umemB.frames(), 64);

            // One counter around the whole steady state, read only twice: bracketing every doWork
            // call would count the MXBean's own allocations whenever the JIT deoptimizes this test
            // method (seen here). Allocations are never negative, so a total of 0 bytes means
            // txonly, l2fwd and rxdrop each allocated nothing.
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long warmup = 200_000;
            long allocStart = -1;
            long measuredFrames = 0;
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
                    measuredFrames = sink.rxPackets();
                    gcStart = gcCount();
                    allocStart = threads.getCurrentThreadAllocatedBytes();
                }
                // veth's XDP receive queue holds 256 frames: stay well below it
                if (gen.txPackets() - sink.rxPackets() < 128) {
                    gen.doWork();
                }
                fwd.doWork();
                sink.doWork();
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - allocStart;
            measuredFrames = sink.rxPackets() - measuredFrames;
            System.out.printf("l2fwd lockstep round trip (gen+l2fwd+sink on one thread): %d frames, %.2f Mpps, %d kicks%n",
                    sink.rxPackets(), sink.rxPackets() / ((now - t0) / 1e3), gen.kicks() + fwd.kicks() + sink.kicks());
            long gcs = gcCount() - gcStart;
            XskStatistics st = sa.statistics(new XskStatistics());
            XskStatistics stB = sb.statistics(new XskStatistics());
            assertTrue(now < deadline && now < stallEnd, "lost or stuck: sent " + gen.txPackets() + " forwarded "
                    + fwd.txPackets() + " back " + sink.rxPackets() + "; l2fwd socket " + st + "; generator socket "
                    + stB + "; veth " + KernelNet.sh("ip -n " + net.nsA + " -s link show " + net.vethA));
            assertEquals(total, gen.txPackets());
            assertEquals(total, fwd.rxPackets(), "l2fwd saw every frame");
            assertEquals(total, fwd.txPackets());
            assertEquals(total, sink.rxPackets(), "every frame came back MAC-swapped through both XDP programs");
            assertTrue(measuredFrames >= total - warmup, "the allocation check covered the steady state");
            assertEquals(0, allocated, "bytes allocated by the txonly, l2fwd and rxdrop loops in steady state");
            assertEquals(0, gcs, "GCs during the steady state");
            assertEquals(0, st.rxDropped + st.rxInvalidDescs + st.txInvalidDescs + st.rxRingFull, st.toString());
            assertTrue(Integer.toUnsignedLong(sa.rx().sharedConsumer()) == total % (1L << 32));

            // Idle: every TX completed, nothing arriving. No loop may make a syscall, none allocates.
            long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (gen.completed() < total && System.nanoTime() < settle) {
                gen.doWork();
                fwd.doWork();
                sink.doWork();
            }
            long kicksBefore = gen.kicks() + fwd.kicks() + sink.kicks();
            long idleAlloc = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100_000; i++) {
                gen.doWork();
                fwd.doWork();
                sink.doWork();
            }
            idleAlloc = threads.getCurrentThreadAllocatedBytes() - idleAlloc;
            assertEquals(kicksBefore, gen.kicks() + fwd.kicks() + sink.kicks(), "idle loops made wake-up syscalls");
            assertEquals(0, idleAlloc, "idle loops allocated");
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
            WireTopology.Run run = WireTopology.pingAndTcp(net, 1500, false);
            System.out.println("iperf3 TCP through the Java wire:\n" + run.iperf());
            assertTrue(run.wire().rxPackets() > 1000, "TCP segments went through Java: " + run.wire().rxPackets());
        }
    }
}
