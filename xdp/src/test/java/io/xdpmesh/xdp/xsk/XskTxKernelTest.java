package io.xdpmesh.xdp.xsk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;

import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.xdpmesh.xdp.sys.Errno;
import io.xdpmesh.xdp.sys.ErrnoException;
import io.xdpmesh.xdp.sys.NetNs;
import io.xdpmesh.xdp.sys.Sys;
import io.xdpmesh.xdp.sys.XdpAbi;
import io.xdpmesh.xdp.testkit.KernelNet;
import io.xdpmesh.xdp.xsk.loop.Frames;
import io.xdpmesh.xdp.xsk.loop.TxOnly;

/** TX path and socket set-up against the real kernel; no XDP program needed. */
@Tag("kernel")
class XskTxKernelTest {
    private static final int PORT = 9000;
    private static final int PAYLOAD = 64;

    @Test
    void txFramesArriveAtThePeersUdpSocket() throws Exception {
        try (KernelNet net = KernelNet.pair(1500, false)) {
            long macA = Frames.parseMac(net.mac(net.nsA, net.vethA));
            long macB = Frames.parseMac(net.mac(net.nsB, net.vethB));
            int ipA = Frames.parseIp4(net.ipA);
            int ipB = Frames.parseIp4(net.ipB);
            DatagramChannel rx = net.own(net.in(net.nsB, DatagramChannel::open));
            rx.bind(new InetSocketAddress(net.ipB, PORT));
            rx.configureBlocking(false);
            Umem umem = net.own(net.inA(() -> Umem.create(UmemConfig.defaults().withFrameCount(2048))));
            XskSocket s = net.own(net.inA(() -> XskSocket.open(umem, XskConfig.of(net.vethA, 0).rxSize(0)
                    .txSize(512).fillSize(1024).completionSize(512))));
            assertEquals("copy", s.mode(), "veth has no zero-copy AF_XDP: AUTO must fall back to copy");
            assertFalse(s.zeroCopy());

            int total = 20_000;
            TxOnly tx = new TxOnly(s, umem.frames(), (frame, cap, seq) -> {
                int len = Frames.writeUdp4(frame, macA, macB, ipA, ipB, 40000 + (int) (seq % 1000), PORT, PAYLOAD);
                UnsafeApi.putLong(frame + Frames.UDP4_HEADERS, seq);
                for (int i = 8; i < PAYLOAD; i++) {
                    UnsafeApi.putByte(frame + Frames.UDP4_HEADERS + i, (byte) (seq + i));
                }
                return len;
            }, 32, total, 0);

            BitSet seen = new BitSet(total);
            ByteBuffer buf = ByteBuffer.allocate(2048).order(ByteOrder.LITTLE_ENDIAN);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int received = 0;
            int bad = 0;
            while (received < total && System.nanoTime() < deadline) {
                // Send one batch, then drain the receiver so its socket buffer never overflows.
                if (!tx.done() && tx.txPackets() - received < 64) {
                    tx.doWork();
                } else {
                    tx.doWork();
                }
                buf.clear();
                while (rx.receive(buf) != null) {
                    buf.flip();
                    long seq = buf.getLong(0);
                    boolean ok = buf.remaining() == PAYLOAD && seq >= 0 && seq < total && !seen.get((int) seq);
                    for (int i = 8; ok && i < PAYLOAD; i++) {
                        ok = buf.get(i) == (byte) (seq + i);
                    }
                    if (ok) {
                        seen.set((int) seq);
                        received++;
                    } else {
                        bad++;
                    }
                    buf.clear();
                }
            }
            assertEquals(0, bad, "corrupt or duplicate datagrams");
            assertEquals(total, received, "every frame sent through the XSK reached the peer's UDP socket");
            long waitEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (tx.completed() < total && System.nanoTime() < waitEnd) {
                tx.doWork();
            }
            assertEquals(total, tx.completed(), "every TX frame came back through the completion ring");
            assertEquals(umem.frameCount(), umem.frames().available(), "no frame leaked");
            XskStatistics st = s.statistics(new XskStatistics());
            assertEquals(0, st.txInvalidDescs, st.toString());
        }
    }

    @Test
    void setUpErrorsSayWhatIsWrong() throws Exception {
        try (KernelNet net = KernelNet.pair(1500, false)) {
            String va = net.vethA;
            try (NetNs in = net.enter(net.nsA); Umem umem = Umem.create(UmemConfig.defaults().withFrameCount(1024))) {
                ErrnoException noIf = assertThrows(ErrnoException.class,
                        () -> XskSocket.open(umem, XskConfig.of(net.prefix + "zz", 0).fillSize(512)));
                assertTrue(noIf.getMessage().contains("no such interface"), noIf.getMessage());

                ErrnoException badQueue = assertThrows(ErrnoException.class,
                        () -> XskSocket.open(umem, XskConfig.of(va, 7).fillSize(512)));
                assertEquals(Errno.EINVAL, badQueue.errno());
                assertTrue(badQueue.getMessage().contains("queue id"), badQueue.getMessage());

                IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                        () -> XskSocket.open(umem, XskConfig.of(va, 0).fillSize(2048)));
                assertTrue(small.getMessage().contains("UMEM too small"), small.getMessage());

                IllegalArgumentException ring = assertThrows(IllegalArgumentException.class,
                        () -> XskSocket.open(umem, XskConfig.of(va, 0).txSize(1000)));
                assertTrue(ring.getMessage().contains("power"), ring.getMessage());

                // the failed attempts left the UMEM usable: a correct socket binds
                try (XskSocket ok = XskSocket.open(umem, XskConfig.of(va, 0).fillSize(512))) {
                    assertEquals("copy", ok.mode());
                    try (Umem other = Umem.create(UmemConfig.defaults().withFrameCount(1024))) {
                        ErrnoException busy = assertThrows(ErrnoException.class,
                                () -> XskSocket.open(other, XskConfig.of(va, 0).fillSize(512)));
                        assertEquals(Errno.EBUSY, busy.errno());
                        assertTrue(busy.getMessage().contains("already has an AF_XDP socket"), busy.getMessage());
                    }
                    ErrnoException zc = assertThrows(ErrnoException.class, () -> {
                        try (Umem third = Umem.create(UmemConfig.defaults().withFrameCount(1024))) {
                            XskSocket.open(third, XskConfig.of(net.prefix + "va", 0).fillSize(512)
                                    .mode(BindMode.ZEROCOPY)).close();
                        }
                    });
                    assertTrue(zc.errno() == Errno.EOPNOTSUPP || zc.errno() == Errno.EBUSY, zc.getMessage());
                }
            }
        }
    }

    @Test
    void closingLeavesNoSocketBehind() throws Exception {
        try (KernelNet net = KernelNet.pair(1500, false)) {
            String a = net.nsA;
            String va = net.vethA;
            String va2 = net.prefix + "vc";
            net.veth(a, va2, net.nsB, net.prefix + "vd", 1500);
            long before = KernelNet.openSockets();
            try (NetNs in = NetNs.enter(a)) {
                Umem umem = Umem.create(UmemConfig.defaults().withFrameCount(4096));
                XskSocket s1 = XskSocket.open(umem, XskConfig.of(va, 0).fillSize(1024));
                XskSocket s2 = XskSocket.open(umem, XskConfig.of(va2, 0).fillSize(1024));
                XskSocket s3 = XskSocket.open(umem, XskConfig.of(va, 0).fillSize(1024));
                assertFalse(s2.sharesQueueRings(), "another interface gets its own fill/completion pair");
                assertTrue(s3.sharesQueueRings(), "same (interface, queue) shares the pair");
                assertTrue(s1.fill() == s3.fill() && s1.fill() != s2.fill());
                assertEquals(before + 3, KernelNet.openSockets());
                IllegalStateException early = assertThrows(IllegalStateException.class, umem::close);
                assertTrue(early.getMessage().contains("open socket"), early.getMessage());
                // the pair owner (s1) closes first while s3 still uses its fill ring
                s1.close();
                assertEquals(before + 3, KernelNet.openSockets(), "s1's fd anchors the pair s3 still uses");
                s3.close();
                s2.close();
                umem.close();
            }
            // This kernel has no CONFIG_XDP_SOCKETS_DIAG (ss --xdp shows nothing), so the evidence is
            // the process's socket fds and the queues being free to bind again.
            assertEquals(before, KernelNet.openSockets(), "every AF_XDP fd closed");
            // The kernel frees the queue's buffer pool in deferred work after the last close, so EBUSY
            // may be seen for a moment; bounded retry.
            try (NetNs in = NetNs.enter(a); Umem again = Umem.create(UmemConfig.defaults().withFrameCount(2048));
                 XskSocket x = openRetryingBusy(again, XskConfig.of(va, 0).fillSize(1024));
                 XskSocket y = openRetryingBusy(again, XskConfig.of(va2, 0).fillSize(1024))) {
                assertEquals("copy", x.mode());
                assertEquals("copy", y.mode());
            }
            assertEquals(before, KernelNet.openSockets());
        }
    }

    @Test
    void busyPollOptionsAreAppliedAndReported() throws Exception {
        try (KernelNet net = KernelNet.pair(1500, false); NetNs in = net.enter(net.nsA);
                Umem umem = Umem.create(UmemConfig.defaults().withFrameCount(1024));
                XskSocket s = XskSocket.open(umem, XskConfig.of(net.vethA, 0).fillSize(512).busyPoll(20, 64, true))) {
            assertEquals(java.util.List.of("SO_PREFER_BUSY_POLL=1 ok", "SO_BUSY_POLL=20 ok", "SO_BUSY_POLL_BUDGET=64 ok"),
                    s.busyPollReport());
            // what the kernel holds now, read back (SO_BUSY_POLL_BUDGET has no getsockopt)
            assertEquals(20, Sys.getsockoptInt(s.fd(), XdpAbi.SOL_SOCKET, XdpAbi.SO_BUSY_POLL, "SO_BUSY_POLL"));
            assertEquals(1, Sys.getsockoptInt(s.fd(), XdpAbi.SOL_SOCKET, XdpAbi.SO_PREFER_BUSY_POLL, "prefer"));
        }
        try (KernelNet net = KernelNet.pair(1500, false); NetNs in = net.enter(net.nsA);
                Umem umem = Umem.create(UmemConfig.defaults().withFrameCount(1024));
                XskSocket s = XskSocket.open(umem, XskConfig.of(net.vethA, 0).fillSize(512).busyPoll(0, 70000, false))) {
            // A budget above 65535 is refused by the kernel: reported, the socket still works.
            assertEquals(1, s.busyPollReport().size(), s.busyPollReport().toString());
            assertTrue(s.busyPollReport().get(0).startsWith("SO_BUSY_POLL_BUDGET=70000 not applied: EINVAL"),
                    s.busyPollReport().toString());
            assertEquals("copy", s.mode());
        }
    }

    static XskSocket openRetryingBusy(Umem umem, XskConfig cfg) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                return XskSocket.open(umem, cfg);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EBUSY || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(10);
            }
        }
    }
}
