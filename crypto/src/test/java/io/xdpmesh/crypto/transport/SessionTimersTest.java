package io.xdpmesh.crypto.transport;

import static io.xdpmesh.crypto.transport.SessionTimers.HANDSHAKE_GAVE_UP;
import static io.xdpmesh.crypto.transport.SessionTimers.INITIATE_HANDSHAKE;
import static io.xdpmesh.crypto.transport.SessionTimers.PERSISTENT_KEEPALIVE;
import static io.xdpmesh.crypto.transport.SessionTimers.RETRANSMIT_HANDSHAKE;
import static io.xdpmesh.crypto.transport.SessionTimers.SEND_KEEPALIVE;
import static io.xdpmesh.crypto.transport.SessionTimers.ZERO_KEYS;
import static io.xdpmesh.crypto.transport.WireGuardConstants.KEEPALIVE_TIMEOUT;
import static io.xdpmesh.crypto.transport.WireGuardConstants.REJECT_AFTER_MESSAGES;
import static io.xdpmesh.crypto.transport.WireGuardConstants.REJECT_AFTER_TIME;
import static io.xdpmesh.crypto.transport.WireGuardConstants.REKEY_AFTER_MESSAGES;
import static io.xdpmesh.crypto.transport.WireGuardConstants.REKEY_AFTER_TIME;
import static io.xdpmesh.crypto.transport.WireGuardConstants.REKEY_ATTEMPT_TIME;
import static io.xdpmesh.crypto.transport.WireGuardConstants.REKEY_TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Timers and keypair predicates driven by a fake clock (plain long times; nothing sleeps). */
class SessionTimersTest {
    /** Start near the nanoTime wrap point to prove only differences are used. */
    private static final long T0 = Long.MAX_VALUE - TimeUnit.SECONDS.toNanos(30);
    private static final long MS = 1_000_000L;

    static final class FakeClock implements NanoClock {
        long now = T0;

        @Override
        public long nanoTime() {
            return now;
        }
    }

    @Test
    void keypairPredicatesFollowWireGuardLimits() {
        FakeClock clock = new FakeClock();
        Keypair[] kps = TestKeys.mirrored(1, 1, 2, 0);
        Keypair init = new Keypair(kps[0].sender(), kps[0].receiver(), 1, 2, true, clock);
        Keypair resp = new Keypair(kps[1].sender(), kps[1].receiver(), 2, 1, false, clock);
        assertTrue(init.canSend(clock.now));
        assertFalse(init.needsRekey(clock.now));
        clock.now += REKEY_AFTER_TIME - 1;
        assertFalse(init.needsRekey(clock.now));
        clock.now += 1;
        assertTrue(init.needsRekey(clock.now), "initiator rekeys after REKEY_AFTER_TIME");
        assertFalse(resp.needsRekey(clock.now), "only the initiator rekeys on time");
        clock.now = T0 + REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT - 1;
        assertFalse(init.needsRekeyOnReceive(clock.now));
        clock.now += 1;
        assertTrue(init.needsRekeyOnReceive(clock.now));
        assertFalse(resp.needsRekeyOnReceive(clock.now));
        clock.now = T0 + REJECT_AFTER_TIME - 1;
        assertTrue(init.canSend(clock.now) && init.canReceive(clock.now));
        clock.now += 1;
        assertFalse(init.canSend(clock.now));
        assertFalse(resp.canReceive(clock.now));
        assertTrue(resp.isExpired(clock.now));

        clock.now = T0;
        resp.sendCounter(REKEY_AFTER_MESSAGES);
        assertFalse(resp.needsRekey(clock.now));
        resp.sendCounter(REKEY_AFTER_MESSAGES + 1);
        assertTrue(resp.needsRekey(clock.now), "either side rekeys after REKEY_AFTER_MESSAGES");
        resp.sendCounter(REJECT_AFTER_MESSAGES);
        assertFalse(resp.canSend(clock.now));
    }

    @Test
    void passiveKeepaliveAfterDataReceivedAndNothingSent() {
        SessionTimers t = new SessionTimers();
        t.onDataReceived(T0);
        t.onDataReceived(T0 + 5_000 * MS); // does not push the deadline
        assertEquals(0, t.poll(T0 + KEEPALIVE_TIMEOUT - 1));
        assertEquals(SEND_KEEPALIVE, t.poll(T0 + KEEPALIVE_TIMEOUT));
        assertEquals(0, t.poll(T0 + KEEPALIVE_TIMEOUT), "fires once");
    }

    @Test
    void sendingAnythingCancelsTheKeepalive() {
        SessionTimers t = new SessionTimers();
        t.onDataReceived(T0);
        t.onAuthenticatedPacketSent(T0 + 1);
        assertEquals(0, t.poll(T0 + 2 * KEEPALIVE_TIMEOUT));
    }

    @Test
    void unansweredDataStartsAHandshake() {
        SessionTimers t = new SessionTimers();
        t.onDataSent(T0);
        assertEquals(0, t.poll(T0 + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT - 1));
        assertEquals(INITIATE_HANDSHAKE, t.poll(T0 + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT));

        SessionTimers answered = new SessionTimers();
        answered.onDataSent(T0);
        answered.onAuthenticatedPacketReceived(T0 + KEEPALIVE_TIMEOUT);
        assertEquals(0, answered.poll(T0 + 2 * (KEEPALIVE_TIMEOUT + REKEY_TIMEOUT)));
    }

    @Test
    void handshakeRetransmitsEveryRekeyTimeoutThenGivesUpAfterTheAttemptTime() {
        SessionTimers t = new SessionTimers();
        long now = T0;
        t.onHandshakeInitiated(now);
        int retransmits = 0;
        while (true) {
            assertEquals(0, t.poll(now + REKEY_TIMEOUT - 1));
            now += REKEY_TIMEOUT;
            int due = t.poll(now);
            if ((due & HANDSHAKE_GAVE_UP) != 0) {
                break;
            }
            assertEquals(RETRANSMIT_HANDSHAKE, due);
            assertEquals(0, t.poll(now + 10 * REKEY_TIMEOUT), "not re-armed until the resend happens");
            t.onHandshakeInitiated(now);
            retransmits++;
        }
        assertEquals(SessionTimers.MAX_HANDSHAKE_RETRANSMITS, retransmits);
        assertEquals(REKEY_ATTEMPT_TIME + REKEY_TIMEOUT, now - T0, "first attempt + 18 retransmits, 5 s apart");
        assertFalse(t.handshakeInProgress());
        assertEquals(ZERO_KEYS, t.poll(now + 3 * REJECT_AFTER_TIME));
    }

    @Test
    void completedHandshakeStopsRetransmission() {
        SessionTimers t = new SessionTimers();
        t.onHandshakeInitiated(T0);
        t.onHandshakeComplete(T0 + 100 * MS);
        assertEquals(0, t.poll(T0 + REKEY_ATTEMPT_TIME * 2));
    }

    @Test
    void jitterStaysWithinWireGuardsBound() {
        SessionTimers t = new SessionTimers(new java.util.Random(6), 0);
        for (int i = 0; i < 50; i++) {
            long start = T0 + i * REKEY_TIMEOUT * 2;
            t.onHandshakeInitiated(start);
            assertEquals(0, t.poll(start + REKEY_TIMEOUT - 1));
            assertEquals(RETRANSMIT_HANDSHAKE, t.poll(start + REKEY_TIMEOUT + 333 * MS));
            t.onHandshakeComplete(start);
        }
    }

    @Test
    void zeroKeysThreeRejectTimesAfterTheLastSession() {
        SessionTimers t = new SessionTimers();
        t.onSessionDerived(T0);
        t.onSessionDerived(T0 + REJECT_AFTER_TIME); // a rekey pushes it out
        assertEquals(0, t.poll(T0 + 3 * REJECT_AFTER_TIME));
        assertEquals(ZERO_KEYS, t.poll(T0 + 4 * REJECT_AFTER_TIME));
    }

    @Test
    void persistentKeepalive() {
        SessionTimers t = new SessionTimers(null, 25_000 * MS);
        assertEquals(0, t.poll(T0 + 100_000 * MS), "nothing before the first traversal");
        t.onAuthenticatedPacketTraversal(T0);
        assertEquals(0, t.poll(T0 + 24_999 * MS));
        assertEquals(PERSISTENT_KEEPALIVE, t.poll(T0 + 25_000 * MS));
        assertEquals(0, t.poll(T0 + 25_001 * MS));
    }

    @Test
    void initiationOnSendIsNeededWithoutKeysOrWhenStaleAndRateLimited() {
        SessionTimers t = new SessionTimers();
        assertTrue(t.shouldInitiateOnSend(T0, null));
        t.onHandshakeInitiated(T0);
        assertFalse(t.shouldInitiateOnSend(T0 + REKEY_TIMEOUT - 1, null), "one initiation per REKEY_TIMEOUT");
        assertTrue(t.shouldInitiateOnSend(T0 + REKEY_TIMEOUT, null));

        Keypair fresh = TestKeys.mirrored(2, 1, 2, T0)[0];
        SessionTimers u = new SessionTimers();
        assertFalse(u.shouldInitiateOnSend(T0, fresh));
        assertTrue(u.shouldInitiateOnSend(T0 + REKEY_AFTER_TIME, fresh));
    }

    @Test
    void initiationOnReceiveOnlyOncePerHandshake() {
        SessionTimers t = new SessionTimers();
        Keypair init = TestKeys.mirrored(3, 1, 2, T0)[0];
        long late = T0 + REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT;
        assertFalse(t.shouldInitiateOnReceive(late - 1, init));
        assertTrue(t.shouldInitiateOnReceive(late, init));
        assertFalse(t.shouldInitiateOnReceive(late + 1, init));
        t.onHandshakeComplete(late + 2);
        assertTrue(t.shouldInitiateOnReceive(late + 3, init));
    }
}
