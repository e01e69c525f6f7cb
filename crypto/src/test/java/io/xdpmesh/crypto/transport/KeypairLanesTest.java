package io.xdpmesh.crypto.transport;

import static io.xdpmesh.crypto.transport.TransportData.PAYLOAD_OFFSET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.crypto.aead.JdkPacketAead;
import io.xdpmesh.crypto.aead.PacketAead;
import io.xdpmesh.crypto.aead.PacketMac;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Keypairs split into lanes for several dataplane threads: disjoint counter streams per sending
 * lane, one receive window per counter class owned by the first thread that opens an authentic
 * message of it, and every counter still accepted at most once.
 */
class KeypairLanesTest {
    private static final long T0 = 5_000_000_000L;

    /** A sender with {@code lanes} lanes and its mirror receiver with {@code windows} windows. */
    private static Keypair[] pair(int lanes, int windows) {
        byte[] k = TestKeys.key(3);
        PacketAead[] senders = new PacketAead[lanes];
        PacketMac[] macs = new PacketMac[lanes];
        for (int l = 0; l < lanes; l++) {
            senders[l] = new JdkPacketAead(k);
            macs[l] = new PacketMac(k);
        }
        byte[] back = TestKeys.key(4);
        Keypair tx = new Keypair(senders, new PacketAead[] {new JdkPacketAead(back)}, macs,
                new PacketMac[] {new PacketMac(back)}, 1, 7, 9, true, T0);
        int receivers = windows == 1 ? 1 : 2;
        PacketAead[] rs = new PacketAead[receivers];
        PacketMac[] rm = new PacketMac[receivers];
        for (int t = 0; t < receivers; t++) {
            rs[t] = new JdkPacketAead(k);
            rm[t] = new PacketMac(k);
        }
        Keypair rx = new Keypair(new PacketAead[] {new JdkPacketAead(back)}, rs, new PacketMac[] {new PacketMac(back)},
                rm, windows, 9, 7, false, T0);
        return new Keypair[] {tx, rx};
    }

    private static byte[] seal(TransportSealer s, Keypair kp, int seed) {
        MemorySegment seg = MemorySegment.ofArray(new byte[256]);
        TestKeys.ipv4(seg, PAYLOAD_OFFSET, 40, seed);
        int n = s.seal(kp, seg, 0, 40, 1420, T0);
        assertTrue(n > 0, "sealed");
        return TestKeys.bytes(seg, 0, n);
    }

    private static int open(TransportOpener o, Keypair kp, byte[] msg) {
        return o.open(kp, MemorySegment.ofArray(msg.clone()), 0, msg.length, T0);
    }

    @Test
    void lanesHandOutDisjointCounterStreams() throws Exception {
        Keypair kp = pair(3, 1)[0];
        assertEquals(0, kp.nextSendCounter(0));
        assertEquals(1, kp.nextSendCounter(1));
        assertEquals(2, kp.nextSendCounter(2));
        assertEquals(8, kp.nextSendCounter(0));
        assertEquals(9, kp.nextSendCounter(1));
        Set<Long> seen = ConcurrentHashMap.newKeySet();
        Thread[] t = new Thread[6];
        for (int i = 0; i < t.length; i++) {
            int lane = i % 3;
            t[i] = new Thread(() -> {
                for (int n = 0; n < 20_000; n++) {
                    long c = kp.nextSendCounter(lane);
                    assertEquals(lane, c % Keypair.MAX_LANES);
                    assertTrue(seen.add(c), "counter " + c + " handed out twice");
                }
            });
            t[i].start();
        }
        for (Thread x : t) {
            x.join();
        }
        assertEquals(120_000, seen.size());
    }

    @Test
    void laneStreamsStopBelowTheLimit() {
        Keypair kp = pair(2, 1)[0];
        kp.sendCounter(WireGuardConstants.REJECT_AFTER_MESSAGES - 9);
        long last = -1;
        for (int lane = 0; lane < 2; lane++) {
            long c;
            while ((c = kp.nextSendCounter(lane)) != -1) {
                assertTrue(Long.compareUnsigned(c, WireGuardConstants.REJECT_AFTER_MESSAGES) < 0);
                last = c;
            }
        }
        assertTrue(last != -1, "some counters were left below the limit");
    }

    @Test
    void canSendEndsWhenAnyLaneHandsOutItsLastCounter() {
        long now = T0 + 1;
        Keypair kp = pair(2, 1)[0];
        kp.sendCounter(WireGuardConstants.REJECT_AFTER_MESSAGES - 40);
        assertTrue(kp.canSend(now));
        long c;
        while ((c = kp.nextSendCounter(1)) != -1) {
            // lane 1 is not done yet, so the keypair may still send
            boolean lastOfLane = Long.compareUnsigned(c + Keypair.MAX_LANES, WireGuardConstants.REJECT_AFTER_MESSAGES) >= 0;
            assertEquals(!lastOfLane, kp.canSend(now), "after counter " + Long.toUnsignedString(c));
        }
        assertFalse(kp.canSend(now), "a lane at its limit ends sending, as the highest counter did before");
        assertTrue(Long.compareUnsigned(kp.sendCounter(), WireGuardConstants.REJECT_AFTER_MESSAGES) >= 0);
        kp.sendCounter(0);
        assertTrue(kp.canSend(now), "restoring the counters below the limit clears it");
    }

    @Test
    void eachLaneOpensOnItsOwnThreadAndCrossThreadCopiesAreRefused() {
        Keypair[] kp = pair(2, Keypair.MAX_LANES);
        TransportSealer lane0 = new TransportSealer(0);
        TransportSealer lane1 = new TransportSealer(1);
        TransportOpener thread0 = new TransportOpener(0);
        TransportOpener thread1 = new TransportOpener(1);
        for (int i = 0; i < 50; i++) {
            byte[] a = seal(lane0, kp[0], i);
            byte[] b = seal(lane1, kp[0], i + 100);
            assertEquals(40, open(thread0, kp[1], a));
            assertEquals(40, open(thread1, kp[1], b));
            // the same message again: on its owner a replay, on the other thread refused unopened
            assertEquals(-OpenStatus.REPLAY, open(thread0, kp[1], a));
            assertEquals(-OpenStatus.WRONG_THREAD, open(thread1, kp[1], a));
            assertEquals(-OpenStatus.WRONG_THREAD, open(thread0, kp[1], b));
        }
        assertEquals(0, kp[1].windowOwner(0));
        assertEquals(1, kp[1].windowOwner(1));
        assertEquals(Keypair.NO_OWNER, kp[1].windowOwner(2));
        assertTrue(kp[1].receiver(0) != kp[1].receiver(1), "each receiving thread has its own cipher");
        // a thread the split keypair has no cipher for never opens with another thread's
        byte[] c = seal(lane0, kp[0], 999);
        assertEquals(-OpenStatus.WRONG_THREAD, open(new TransportOpener(2), kp[1], c));
    }

    @Test
    void forgedMessagesNeverClaimAWindow() {
        Keypair[] kp = pair(1, Keypair.MAX_LANES);
        TransportSealer s = new TransportSealer();
        byte[] msg = seal(s, kp[0], 1);
        byte[] forged = msg.clone();
        forged[forged.length - 1] ^= 1;
        assertEquals(-OpenStatus.AUTH_FAILED, open(new TransportOpener(1), kp[1], forged));
        assertEquals(Keypair.NO_OWNER, kp[1].windowOwner(0));
        assertEquals(40, open(new TransportOpener(0), kp[1], msg));
    }

    @Test
    void oneLaneSenderIntoSplitWindowsAcceptsEveryCounterOnce() {
        Keypair[] kp = pair(1, Keypair.MAX_LANES);
        TransportSealer s = new TransportSealer();
        TransportOpener o = new TransportOpener(0);
        Set<byte[]> sent = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            byte[] m = seal(s, kp[0], i);
            sent.add(m);
            assertEquals(40, open(o, kp[1], m));
        }
        for (byte[] m : sent) {
            assertEquals(-OpenStatus.REPLAY, open(o, kp[1], m));
        }
        for (int w = 0; w < Keypair.MAX_LANES; w++) {
            assertEquals(0, kp[1].windowOwner(w), "one receiving thread owns every window");
        }
    }

    @Test
    void singleWindowKeypairBelongsToTheFirstThread() {
        Keypair[] kp = TestKeys.mirrored(5, 1, 2, T0);
        TransportSealer s = new TransportSealer();
        assertEquals(40, open(new TransportOpener(1), kp[1], seal(s, kp[0], 1)));
        assertEquals(-OpenStatus.WRONG_THREAD, open(new TransportOpener(0), kp[1], seal(s, kp[0], 2)));
        assertEquals(40, open(new TransportOpener(1), kp[1], seal(s, kp[0], 3)));
    }

    @Test
    void aSealerBeyondTheKeypairsLanesRefuses() {
        Keypair kp = pair(1, 1)[0];
        MemorySegment seg = MemorySegment.ofArray(new byte[256]);
        TestKeys.ipv4(seg, PAYLOAD_OFFSET, 40, 1);
        assertEquals(-SealStatus.NO_VALID_KEYPAIR, new TransportSealer(1).seal(kp, seg, 0, 40, 1420, T0));
        assertThrows(IllegalArgumentException.class, () -> new TransportSealer(Keypair.MAX_LANES));
    }

    @Test
    void confirmationPromotesInEveryThreadsSession() {
        Keypair[] kp = pair(1, 1);
        PeerKeypairs a = new PeerKeypairs();
        PeerKeypairs b = new PeerKeypairs();
        a.install(kp[1]);
        b.install(kp[1]);
        assertEquals(kp[1], a.next());
        assertEquals(40, open(new TransportOpener(0), kp[1], seal(new TransportSealer(), kp[0], 1)));
        assertEquals(kp[1], a.current());
        assertEquals(kp[1], b.current());
    }

    @Test
    void theLastHolderCloses() {
        Keypair kp = pair(2, 1)[0].share(2);
        kp.release();
        assertTrue(!kp.isInvalidated(), "one holder left");
        kp.release();
        assertTrue(kp.isInvalidated(), "closed by the last");
    }
}
