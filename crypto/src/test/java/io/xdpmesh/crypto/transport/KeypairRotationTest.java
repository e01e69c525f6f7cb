package io.xdpmesh.crypto.transport;

import static io.xdpmesh.crypto.transport.TransportData.PAYLOAD_OFFSET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Two simulated peers, each with its PeerKeypairs and ReceiverIndexTable, exchanging real sealed
 * messages across repeated rekeys with messages in flight: nothing may be lost.
 */
class KeypairRotationTest {
    private static final long T0 = 77_000_000_000L;

    /** One side: its keypairs, its index table, its sealer and opener. */
    static final class Side {
        final PeerKeypairs peer = new PeerKeypairs();
        final ReceiverIndexTable table = new ReceiverIndexTable(16, new Random(1));
        final TransportSealer sealer = new TransportSealer();
        final TransportOpener opener = new TransportOpener();
        final ArrayDeque<byte[]> received = new ArrayDeque<>();

        void install(Keypair kp) {
            table.put(kp);
            List<Keypair> gone = peer.install(kp);
            for (Keypair old : gone) {
                assertTrue(old.isInvalidated());
                assertTrue(table.remove(old));
            }
        }

        byte[] send(int seq, long now) {
            MemorySegment seg = MemorySegment.ofArray(new byte[256]);
            TestKeys.ipv4(seg, PAYLOAD_OFFSET, 40, seq);
            seg.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, PAYLOAD_OFFSET + 20, seq);
            int n = sealer.seal(peer.current(), seg, 0, 40, 1420, now);
            assertTrue(n > 0, "seal: " + SealStatus.name(-n));
            return TestKeys.bytes(seg, 0, n);
        }

        void receive(byte[] msg, long now) {
            MemorySegment seg = MemorySegment.ofArray(msg.clone());
            Keypair kp = table.get(TransportData.receiverIndex(seg, 0));
            int r = opener.open(kp, seg, 0, msg.length, now);
            assertEquals(40, r, () -> "open: " + (r < 0 ? OpenStatus.name(-r) : r) + " " + opener.counters());
            received.add(TestKeys.bytes(seg, PAYLOAD_OFFSET, 40));
        }
    }

    private final Random rnd = new Random(3);

    /** A handshake between the two sides: returns [initiator keypair, responder keypair]. */
    private Keypair[] handshake(Side initiator, Side responder, int seed, long now) {
        int iIndex = initiator.table.allocateIndex();
        int rIndex = responder.table.allocateIndex();
        Keypair[] kps = TestKeys.mirrored(seed, iIndex, rIndex, now);
        responder.install(kps[1]); // the responder derives first (it sends the response)
        initiator.install(kps[0]); // the initiator on receiving the response
        return kps;
    }

    @Test
    void initiatorUsesNewKeypairAtOnceResponderWaitsForConfirmation() {
        Side a = new Side();
        Side b = new Side();
        Keypair[] kps = handshake(a, b, 1, T0);
        assertSame(kps[0], a.peer.current());
        assertNull(b.peer.current(), "responder cannot send before confirmation");
        assertSame(kps[1], b.peer.next());

        b.receive(a.send(1, T0), T0);
        assertSame(kps[1], b.peer.current(), "first packet confirmed the responder's keypair");
        assertNull(b.peer.next());
        a.receive(b.send(2, T0), T0);
    }

    @Test
    void keepaliveAlsoConfirms() {
        Side a = new Side();
        Side b = new Side();
        Keypair[] kps = handshake(a, b, 2, T0);
        MemorySegment seg = MemorySegment.ofArray(new byte[64]);
        assertEquals(32, a.sealer.sealKeepalive(a.peer.current(), seg, 0, T0));
        assertEquals(0, b.opener.open(b.table.get(TransportData.receiverIndex(seg, 0)), seg, 0, 32, T0));
        assertSame(kps[1], b.peer.current());
    }

    @Test
    void nothingLostAcrossRepeatedRekeysWithPacketsInFlight() {
        Side a = new Side();
        Side b = new Side();
        long now = T0;
        handshake(a, b, 10, now);
        b.receive(a.send(0, now), now);
        ArrayDeque<byte[]> aToB = new ArrayDeque<>();
        ArrayDeque<byte[]> bToA = new ArrayDeque<>();
        int sentA = 1;
        int sentB = 0;
        for (int round = 0; round < 12; round++) {
            // Traffic both ways, some of it left in flight.
            for (int i = 0; i < 20; i++) {
                aToB.add(a.send(sentA++, now));
                bToA.add(b.send(sentB++, now));
            }
            now += WireGuardConstants.REKEY_AFTER_TIME / 4;
            // Rekey; initiator alternates. In-flight messages still carry the old keys.
            if (round % 2 == 0) {
                handshake(a, b, 100 + round, now);
            } else {
                handshake(b, a, 100 + round, now);
            }
            // More traffic with whatever each side now sends with; deliver out of order.
            for (int i = 0; i < 20; i++) {
                aToB.add(a.send(sentA++, now));
                if (b.peer.current() != null && !b.peer.current().isInvalidated()) {
                    bToA.add(b.send(sentB++, now));
                }
            }
            deliverShuffled(aToB, b, now);
            deliverShuffled(bToA, a, now);
            // After the initiator's first packet the responder has rotated.
            assertNull(a.peer.next());
            assertNull(b.peer.next());
        }
        assertEquals(sentA, b.received.size());
        assertEquals(sentB, a.received.size());
        assertEquals(0, a.opener.counters().rejects(), a.opener.counters().toString());
        assertEquals(0, b.opener.counters().rejects(), b.opener.counters().toString());
        assertTrue(a.table.size() <= 3 && b.table.size() <= 3, "old keypairs left the index tables");
    }

    private void deliverShuffled(ArrayDeque<byte[]> q, Side to, long now) {
        List<byte[]> list = new java.util.ArrayList<>(q);
        q.clear();
        java.util.Collections.shuffle(list, rnd);
        for (byte[] m : list) {
            to.receive(m, now);
        }
    }

    @Test
    void initiatorInstallWhilePendingNextDropsCurrentKeepsNext() {
        PeerKeypairs p = new PeerKeypairs();
        Keypair c = TestKeys.mirrored(1, 1, 2, T0)[0];
        Keypair n = TestKeys.mirrored(2, 3, 4, T0)[1];
        Keypair i = TestKeys.mirrored(3, 5, 6, T0)[0];
        assertTrue(p.install(c).isEmpty());
        assertTrue(p.install(n).isEmpty());
        assertSame(c, p.current());
        assertSame(n, p.next());
        List<Keypair> gone = p.install(i);
        assertEquals(List.of(c), gone);
        assertSame(i, p.current());
        assertSame(n, p.previous(), "the unconfirmed next still receives");
        assertNull(p.next());
        assertFalse(p.confirm(n), "no longer next: no promotion");
        assertEquals(List.of(i, n), p.clear());
        assertNull(p.current());
    }

    @Test
    void responderInstallReplacesNextAndDropsPrevious() {
        PeerKeypairs p = new PeerKeypairs();
        Keypair k1 = TestKeys.mirrored(1, 1, 2, T0)[0];
        Keypair k2 = TestKeys.mirrored(2, 3, 4, T0)[0];
        Keypair n1 = TestKeys.mirrored(3, 5, 6, T0)[1];
        Keypair n2 = TestKeys.mirrored(4, 7, 8, T0)[1];
        p.install(k1);
        p.install(k2);
        assertSame(k1, p.previous());
        assertTrue(p.install(n1).contains(k1));
        assertNull(p.previous());
        assertEquals(List.of(n1), p.install(n2));
        assertTrue(p.confirm(n2));
        assertSame(n2, p.current());
        assertSame(k2, p.previous());
    }

    @Test
    void concurrentConfirmAndInstallKeepTheSlotsConsistent() throws Exception {
        PeerKeypairs p = new PeerKeypairs();
        int rounds = 2000;
        Keypair[] next = new Keypair[rounds];
        for (int r = 0; r < rounds; r++) {
            next[r] = new Keypair(new io.xdpmesh.crypto.aead.JdkPacketAead(new byte[32]),
                    new io.xdpmesh.crypto.aead.JdkPacketAead(new byte[32]), r + 1, r + 1, false, T0);
        }
        java.util.concurrent.atomic.AtomicInteger installed = new java.util.concurrent.atomic.AtomicInteger(-1);
        Thread dataplane = new Thread(() -> {
            while (installed.get() < rounds - 1) {
                int r = installed.get();
                if (r >= 0) {
                    p.confirm(next[r]);
                }
            }
            p.confirm(next[rounds - 1]);
        });
        dataplane.start();
        for (int r = 0; r < rounds; r++) {
            p.install(next[r]);
            installed.set(r);
        }
        dataplane.join(60_000);
        assertFalse(dataplane.isAlive());
        Keypair cur = p.current();
        assertSame(next[rounds - 1], cur, "the last install was confirmed");
        assertTrue(p.previous() == null || p.previous().localIndex() < cur.localIndex());
    }
}
