package io.xdpmesh.crypto.noise;

import static io.xdpmesh.crypto.noise.HandshakeOutcome.Kind.*;
import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** MAC2, cookie replies and the under-load path. */
class CookieTest {
    private static boolean mac2IsZero(byte[] msg) {
        for (int i = msg.length - 16; i < msg.length; i++) {
            if (msg[i] != 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void cookieRoundTripUnderLoad() {
        Pair p = new Pair();
        byte[] init = p.a.createInitiation(p.bAtA);
        assertTrue(mac2IsZero(init), "no cookie yet: MAC2 is zero");
        HandshakeOutcome r = p.b.receive(init, Pair.SRC_A, true);
        assertEquals(SEND_COOKIE_REPLY, r.kind());
        assertEquals(RejectReason.COOKIE_NEEDED, r.reason());
        byte[] reply = r.reply();
        assertEquals(64, reply.length);
        assertEquals(3, reply[0]);
        assertEquals(WireGuard.getLe32(init, WireGuard.INITIATION_SENDER), WireGuard.getLe32(reply, WireGuard.COOKIE_RECEIVER));
        assertEquals(0, p.b.counters().accepted(1), "under load nothing is consumed before MAC2 checks out");

        HandshakeOutcome stored = p.a.receive(reply, Pair.SRC_B, false);
        assertEquals(COOKIE_STORED, stored.kind(), stored.toString());
        assertTrue(p.bAtA.hasFreshCookie());

        p.clock.advanceMillis(1000);
        byte[] again = p.a.createInitiation(p.bAtA);
        assertFalse(mac2IsZero(again));
        HandshakeOutcome ok = p.b.receive(again, Pair.SRC_A, true);
        assertEquals(SEND_RESPONSE, ok.kind(), ok.toString());
        HandshakeOutcome done = p.a.receive(ok.reply(), Pair.SRC_B, false);
        assertEquals(SESSION_ESTABLISHED, done.kind());
        assertEquals(1, p.b.counters().rejected(RejectReason.COOKIE_NEEDED));
    }

    @Test
    void cookieIsBoundToTheSourceAddress() {
        Pair p = new Pair();
        byte[] reply = p.b.receive(p.a.createInitiation(p.bAtA), Pair.SRC_A, true).reply();
        p.a.receive(reply, Pair.SRC_B, false);
        p.clock.advanceMillis(1000);
        byte[] again = p.a.createInitiation(p.bAtA);
        byte[] otherPort = NoiseHandshake.sourceKey(new InetSocketAddress("10.1.0.1", 51872));
        assertEquals(SEND_COOKIE_REPLY, p.b.receive(again, otherPort, true).kind());
    }

    @Test
    void noMac2NeededWhenNotUnderLoad() {
        Pair p = new Pair();
        assertEquals(SEND_RESPONSE, p.b.receive(p.a.createInitiation(p.bAtA), Pair.SRC_A, false).kind());
    }

    @Test
    void cookieAndSecretExpireAfterTwoMinutes() {
        Pair p = new Pair();
        p.a.receive(p.b.receive(p.a.createInitiation(p.bAtA), Pair.SRC_A, true).reply(), Pair.SRC_B, false);
        assertTrue(p.bAtA.hasFreshCookie());
        p.clock.advanceMillis(121_000);
        assertFalse(p.bAtA.hasFreshCookie());
        byte[] late = p.a.createInitiation(p.bAtA);
        assertTrue(mac2IsZero(late));
        assertEquals(SEND_COOKIE_REPLY, p.b.receive(late, Pair.SRC_A, true).kind());
    }

    @Test
    void staleMac2IsRejectedAfterSecretRotation() {
        Pair p = new Pair();
        p.a.receive(p.b.receive(p.a.createInitiation(p.bAtA), Pair.SRC_A, true).reply(), Pair.SRC_B, false);
        p.clock.advanceMillis(119_000);
        byte[] withMac2 = p.a.createInitiation(p.bAtA);
        assertFalse(mac2IsZero(withMac2));
        p.clock.advanceMillis(2_000); // the responder's secret is now older than 120 s
        assertEquals(SEND_COOKIE_REPLY, p.b.receive(withMac2, Pair.SRC_A, true).kind());
    }

    @Test
    void responseUnderLoadAlsoNeedsACookie() {
        Pair p = new Pair();
        byte[] resp = p.b.receive(p.a.createInitiation(p.bAtA), Pair.SRC_A, false).reply();
        HandshakeOutcome r = p.a.receive(resp, Pair.SRC_B, true);
        assertEquals(SEND_COOKIE_REPLY, r.kind());
        assertEquals(WireGuard.getLe32(resp, WireGuard.RESPONSE_SENDER), WireGuard.getLe32(r.reply(), WireGuard.COOKIE_RECEIVER));
        // B (the responder) holds the index the cookie reply names, and takes the cookie.
        assertEquals(COOKIE_STORED, p.b.receive(r.reply(), Pair.SRC_A, false).kind());
    }

    @Test
    void tamperedCookieReplyIsRejected() {
        Pair p = new Pair();
        byte[] reply = p.b.receive(p.a.createInitiation(p.bAtA), Pair.SRC_A, true).reply();
        for (int at : new int[] {WireGuard.COOKIE_NONCE + 1, WireGuard.COOKIE_SEALED + 3, 63}) {
            byte[] bad = reply.clone();
            bad[at] ^= 2;
            assertEquals(RejectReason.DECRYPT_FAILED, p.a.receive(bad, Pair.SRC_B, false).reason());
        }
        byte[] wrongIndex = reply.clone();
        wrongIndex[WireGuard.COOKIE_RECEIVER] ^= 1;
        assertEquals(RejectReason.UNKNOWN_INDEX, p.a.receive(wrongIndex, Pair.SRC_B, false).reason());
        assertFalse(p.bAtA.hasFreshCookie());
        assertEquals(COOKIE_STORED, p.a.receive(reply, Pair.SRC_B, false).kind());
    }

    @Test
    void cookieReplyToAnOlderMessageDoesNotOpen() {
        Pair p = new Pair();
        byte[] first = p.a.createInitiation(p.bAtA);
        byte[] reply = p.b.receive(first, Pair.SRC_A, true).reply();
        // A sends a new initiation to the same peer: the reply's AAD (the old MAC1) no longer matches,
        // and the old sender index was released.
        p.clock.advanceMillis(10);
        byte[] second = p.a.createInitiation(p.bAtA);
        assertFalse(Arrays.equals(first, second));
        HandshakeOutcome r = p.a.receive(reply, Pair.SRC_B, false);
        assertEquals(REJECTED, r.kind());
        assertTrue(r.reason() == RejectReason.UNKNOWN_INDEX || r.reason() == RejectReason.DECRYPT_FAILED);
    }

    @Test
    void underLoadWithoutSourceIsRejected() {
        Pair p = new Pair();
        assertEquals(RejectReason.COOKIE_NEEDED, p.b.receive(p.a.createInitiation(p.bAtA), null, true).reason());
    }
}
