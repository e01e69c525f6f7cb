package io.xdpmesh.dataplane.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.crypto.aead.JdkPacketAead;
import io.xdpmesh.crypto.transport.Keypair;
import io.xdpmesh.dataplane.pending.PairKey;
import io.xdpmesh.dataplane.policy.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionInterfaceTest {
    static Keypair kp(int local, int remote, boolean initiator) {
        return new Keypair(new JdkPacketAead(new byte[32]), new JdkPacketAead(new byte[32]), local, remote, initiator,
                System.nanoTime());
    }

    @Test
    void sessionsAreFoundByPairAndByEveryLiveReceiverIndex() {
        SessionTable t = new SessionTable(8);
        long key = PairKey.of(1, 2, 3);
        Session s = t.getOrCreate("a", "b", "n", key);
        assertSame(s, t.getOrCreate("a", "b", "n", key));
        assertEquals(s.slot(), t.findPair(key));
        assertEquals(SessionTable.NONE, t.findPair(PairKey.of(2, 1, 3)));
        t.install(s, kp(11, 21, true));
        t.install(s, kp(12, 22, true)); // rotation: 11 becomes previous and still receives
        assertEquals(s.slot(), t.findIndex(11));
        assertEquals(s.slot(), t.findIndex(12));
        List<Keypair> out = t.install(s, kp(13, 23, true)); // 11 falls out
        assertEquals(1, out.size());
        assertEquals(11, out.get(0).localIndex());
        assertEquals(SessionTable.NONE, t.findIndex(11));
        assertEquals(13, s.sendKeypair(System.nanoTime()).localIndex());
        assertEquals(12, s.receiveKeypair(12).localIndex());
        assertEquals(2, t.remove(s).size());
        assertEquals(SessionTable.NONE, t.findIndex(12));
        assertEquals(SessionTable.NONE, t.findPair(key));
        assertEquals(0, t.size());
    }

    @Test
    void tableFullIsAnAnswerNotACrash() {
        SessionTable t = new SessionTable(2);
        t.getOrCreate("a", "b", "n", 1);
        t.getOrCreate("a", "c", "n", 2);
        assertNull(t.getOrCreate("a", "d", "n", 3));
    }

    @Test
    void authRequestsCarryNamesAndReportAFullRing() {
        AuthRequests r = new AuthRequests(4096);
        byte[] l = "spiffe://t/a".getBytes(StandardCharsets.UTF_8);
        byte[] m = "spiffe://t/b".getBytes(StandardCharsets.UTF_8);
        byte[] n = "n2".getBytes(StandardCharsets.UTF_8);
        assertTrue(r.offer(Verdict.ENCRYPT.ordinal(), 7, PairKey.of(1, 2, 1), 123_456_789L, l, m, n));
        List<AuthRequest> got = new ArrayList<>();
        assertEquals(1, r.poll(got::add, 10));
        assertEquals(new AuthRequest("spiffe://t/a", "spiffe://t/b", "n2", Verdict.ENCRYPT, PairKey.of(1, 2, 1), 7,
                123_456_789L),
                got.get(0));
        int accepted = 0;
        while (r.offer(Verdict.AUTH.ordinal(), 1, 1, 0, l, m, n) && accepted < 10_000) {
            accepted++;
        }
        assertTrue(accepted > 0 && accepted < 10_000, "a bounded ring refuses when full: " + accepted);
        assertFalse(r.offer(Verdict.AUTH.ordinal(), 1, 1, 0, l, m, n));
        int read = 0;
        for (int k; (k = r.poll(x -> { }, 100_000)) > 0; ) { // a read stops where the ring wraps
            read += k;
        }
        assertEquals(accepted, read);
    }
}
