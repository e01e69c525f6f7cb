package io.xdpmesh.crypto.noise;

import static io.xdpmesh.crypto.noise.HandshakeOutcome.Kind.*;
import static org.junit.jupiter.api.Assertions.*;

import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NoiseHandshakeTest {
    private static void assertKeysMatch(SessionKeys initiator, SessionKeys responder) {
        assertTrue(initiator.initiator());
        assertFalse(responder.initiator());
        assertArrayEquals(initiator.sendKey(), responder.receiveKey());
        assertArrayEquals(initiator.receiveKey(), responder.sendKey());
        assertFalse(Arrays.equals(initiator.sendKey(), initiator.receiveKey()));
        assertEquals(initiator.localIndex(), responder.remoteIndex());
        assertEquals(initiator.remoteIndex(), responder.localIndex());
    }

    private static SessionKeys[] handshake(Pair p) {
        byte[] init = p.a.createInitiation(p.bAtA);
        assertEquals(148, init.length);
        assertEquals(1, init[0]);
        HandshakeOutcome r = p.b.receive(init, Pair.SRC_A, false);
        assertEquals(SEND_RESPONSE, r.kind(), r.toString());
        assertSame(p.aAtB, r.peer());
        byte[] resp = r.reply();
        assertEquals(92, resp.length);
        assertEquals(2, resp[0]);
        HandshakeOutcome done = p.a.receive(resp, Pair.SRC_B, false);
        assertEquals(SESSION_ESTABLISHED, done.kind(), done.toString());
        assertSame(p.bAtA, done.peer());
        return new SessionKeys[] {done.session(), r.session()};
    }

    @Test
    void fullHandshakeWithoutPsk() {
        Pair p = new Pair();
        SessionKeys[] k = handshake(p);
        assertKeysMatch(k[0], k[1]);
        assertArrayEquals(p.keyB.publicKey(), k[0].remoteStatic());
        assertArrayEquals(p.keyA.publicKey(), k[1].remoteStatic());
        assertEquals(0, p.a.counters().totalRejected());
        assertEquals(0, p.b.counters().totalRejected());
        assertEquals(1, p.b.counters().accepted(1));
        assertEquals(1, p.a.counters().accepted(2));
    }

    @Test
    void fullHandshakeWithPsk() {
        byte[] psk = new byte[32];
        new SecureRandom().nextBytes(psk);
        Pair p = new Pair(psk, psk);
        SessionKeys[] k = handshake(p);
        assertKeysMatch(k[0], k[1]);
        // The PSK enters the key schedule: the same exchange without it gives other keys.
        Pair q = new Pair();
        assertFalse(Arrays.equals(k[0].sendKey(), handshake(q)[0].sendKey()));
    }

    @Test
    void mismatchedPskFailsAtTheInitiator() {
        byte[] psk = new byte[32];
        psk[0] = 1;
        Pair p = new Pair(psk, null);
        byte[] init = p.a.createInitiation(p.bAtA);
        HandshakeOutcome r = p.b.receive(init, Pair.SRC_A, false);
        assertEquals(SEND_RESPONSE, r.kind());
        HandshakeOutcome done = p.a.receive(r.reply(), Pair.SRC_B, false);
        assertEquals(REJECTED, done.kind());
        assertEquals(RejectReason.DECRYPT_FAILED, done.reason());
        assertEquals(1, p.a.counters().rejected(RejectReason.DECRYPT_FAILED));
    }

    @Test
    void successiveHandshakesGiveFreshKeysAndIndexes() {
        Pair p = new Pair();
        SessionKeys[] first = handshake(p);
        p.clock.advanceMillis(1000);
        SessionKeys[] second = handshake(p);
        assertKeysMatch(second[0], second[1]);
        assertFalse(Arrays.equals(first[0].sendKey(), second[0].sendKey()));
        assertNotEquals(first[0].localIndex(), second[0].localIndex());
    }

    @Test
    void bothSidesCanInitiate() {
        Pair p = new Pair();
        byte[] init = p.b.createInitiation(p.aAtB);
        HandshakeOutcome r = p.a.receive(init, Pair.SRC_B, false);
        assertEquals(SEND_RESPONSE, r.kind());
        HandshakeOutcome done = p.b.receive(r.reply(), Pair.SRC_A, false);
        assertEquals(SESSION_ESTABLISHED, done.kind());
        assertKeysMatch(done.session(), r.session());
    }

    @Test
    void replayedInitiationIsRejected() {
        Pair p = new Pair();
        byte[] init = p.a.createInitiation(p.bAtA);
        assertEquals(SEND_RESPONSE, p.b.receive(init, Pair.SRC_A, false).kind());
        p.clock.advanceMillis(1000);
        HandshakeOutcome again = p.b.receive(init, Pair.SRC_A, false);
        assertEquals(REJECTED, again.kind());
        assertEquals(RejectReason.REPLAYED_TIMESTAMP, again.reason());
        assertEquals(1, p.b.counters().rejected(RejectReason.REPLAYED_TIMESTAMP));
    }

    @Test
    void olderTimestampIsRejectedNewerAccepted() {
        Pair p = new Pair();
        byte[] older = p.a.createInitiation(p.bAtA);
        p.clock.advanceMillis(1000);
        byte[] newer = p.a.createInitiation(p.bAtA);
        assertEquals(SEND_RESPONSE, p.b.receive(newer, Pair.SRC_A, false).kind());
        p.clock.advanceMillis(1000);
        assertEquals(RejectReason.REPLAYED_TIMESTAMP, p.b.receive(older, Pair.SRC_A, false).reason());
    }

    @Test
    void initiationFloodIsRejected() {
        Pair p = new Pair();
        assertEquals(SEND_RESPONSE, p.b.receive(p.a.createInitiation(p.bAtA), Pair.SRC_A, false).kind());
        // A newer timestamp (wall clock moved a second) but only 5 ms of monotonic time later.
        p.clock.advanceWallOnly(1000);
        byte[] fast = p.a.createInitiation(p.bAtA);
        p.clock.advanceMillis(5);
        assertEquals(RejectReason.FLOOD, p.b.receive(fast, Pair.SRC_A, false).reason());
        p.clock.advanceMillis(50);
        assertEquals(SEND_RESPONSE, p.b.receive(fast, Pair.SRC_A, false).kind());
    }

    @Test
    void wrongMac1IsRejected() {
        Pair p = new Pair();
        byte[] init = p.a.createInitiation(p.bAtA);
        init[WireGuard.INITIATION_MAC1 + 3] ^= 0x40;
        assertEquals(RejectReason.BAD_MAC1, p.b.receive(init, Pair.SRC_A, false).reason());
        // A message for somebody else (MAC1 keyed with another public key) is not ours either.
        Pair other = new Pair();
        assertEquals(RejectReason.BAD_MAC1, p.b.receive(other.a.createInitiation(other.bAtA), Pair.SRC_A, false).reason());
        assertEquals(2, p.b.counters().rejected(RejectReason.BAD_MAC1));
        assertEquals(0, p.b.counters().accepted(1));
    }

    @ParameterizedTest
    @ValueSource(ints = {WireGuard.INITIATION_EPHEMERAL + 5, WireGuard.INITIATION_STATIC + 1,
            WireGuard.INITIATION_STATIC + 40, WireGuard.INITIATION_TIMESTAMP + 2, WireGuard.INITIATION_TIMESTAMP + 20})
    void tamperedInitiationFieldsAreRejected(int at) {
        Pair p = new Pair();
        byte[] init = p.a.createInitiation(p.bAtA);
        init[at] ^= 1;
        Pair.remac1(init, p.keyB.publicKey());
        HandshakeOutcome r = p.b.receive(init, Pair.SRC_A, false);
        assertEquals(REJECTED, r.kind());
        assertTrue(r.reason() == RejectReason.DECRYPT_FAILED || r.reason() == RejectReason.BAD_DH, r.toString());
        assertEquals(0, p.b.counters().accepted(1));
    }

    @ParameterizedTest
    @ValueSource(ints = {WireGuard.RESPONSE_EPHEMERAL + 7, WireGuard.RESPONSE_EMPTY, WireGuard.RESPONSE_EMPTY + 15})
    void tamperedResponseFieldsAreRejected(int at) {
        Pair p = new Pair();
        byte[] resp = p.b.receive(p.a.createInitiation(p.bAtA), Pair.SRC_A, false).reply();
        resp[at] ^= 0x80;
        Pair.remac1(resp, p.keyA.publicKey());
        HandshakeOutcome r = p.a.receive(resp, Pair.SRC_B, false);
        assertEquals(REJECTED, r.kind());
        assertTrue(r.reason() == RejectReason.DECRYPT_FAILED || r.reason() == RejectReason.BAD_DH, r.toString());
    }

    @Test
    void responseWithUnknownReceiverIndexIsRejected() {
        Pair p = new Pair();
        byte[] resp = p.b.receive(p.a.createInitiation(p.bAtA), Pair.SRC_A, false).reply();
        resp[WireGuard.RESPONSE_RECEIVER] ^= 1;
        Pair.remac1(resp, p.keyA.publicKey());
        assertEquals(RejectReason.UNKNOWN_INDEX, p.a.receive(resp, Pair.SRC_B, false).reason());
    }

    @Test
    void replayedResponseIsRejected() {
        Pair p = new Pair();
        byte[] resp = p.b.receive(p.a.createInitiation(p.bAtA), Pair.SRC_A, false).reply();
        assertEquals(SESSION_ESTABLISHED, p.a.receive(resp, Pair.SRC_B, false).kind());
        assertEquals(RejectReason.UNKNOWN_INDEX, p.a.receive(resp, Pair.SRC_B, false).reason());
    }

    @Test
    void responseToAnAbandonedInitiationIsRejected() {
        Pair p = new Pair();
        byte[] first = p.a.createInitiation(p.bAtA);
        byte[] resp = p.b.receive(first, Pair.SRC_A, false).reply();
        p.clock.advanceMillis(100);
        p.a.createInitiation(p.bAtA); // retransmit with a new handshake: the first one is gone
        assertEquals(RejectReason.UNKNOWN_INDEX, p.a.receive(resp, Pair.SRC_B, false).reason());
    }

    @Test
    void unknownPeerIsRejected() {
        Pair p = new Pair();
        NoiseHandshake stranger = new NoiseHandshake(StaticKeyPair.generate(p.random), p.random, p.clock);
        NoisePeer b = stranger.addPeer(p.keyB.publicKey(), null);
        HandshakeOutcome r = p.b.receive(stranger.createInitiation(b), Pair.SRC_A, false);
        assertEquals(RejectReason.UNKNOWN_PEER, r.reason());
        assertEquals(1, p.b.counters().rejected(RejectReason.UNKNOWN_PEER));
    }

    @Test
    void lowOrderEphemeralIsRejected() {
        Pair p = new Pair();
        byte[] init = p.a.createInitiation(p.bAtA);
        Arrays.fill(init, WireGuard.INITIATION_EPHEMERAL, WireGuard.INITIATION_EPHEMERAL + 32, (byte) 0);
        Pair.remac1(init, p.keyB.publicKey());
        assertEquals(RejectReason.BAD_DH, p.b.receive(init, Pair.SRC_A, false).reason());
    }

    @Test
    void badTypesAndLengthsAreCounted() {
        Pair p = new Pair();
        byte[] init = p.a.createInitiation(p.bAtA);
        assertEquals(RejectReason.BAD_LENGTH, p.b.receive(Arrays.copyOf(init, 147), Pair.SRC_A, false).reason());
        assertEquals(RejectReason.BAD_LENGTH, p.b.receive(Arrays.copyOf(init, 149), Pair.SRC_A, false).reason());
        assertEquals(RejectReason.BAD_LENGTH, p.b.receive(new byte[] {1, 0, 0}, Pair.SRC_A, false).reason());
        assertEquals(RejectReason.BAD_LENGTH, p.b.receive(null, 0, 0, Pair.SRC_A, false).reason());
        assertEquals(RejectReason.BAD_LENGTH, p.b.receive(init, 100, 148, Pair.SRC_A, false).reason());
        byte[] reserved = init.clone();
        reserved[1] = 1; // the reserved bytes are part of the little-endian type
        assertEquals(RejectReason.BAD_TYPE, p.b.receive(reserved, Pair.SRC_A, false).reason());
        byte[] transport = new byte[32];
        transport[0] = 4;
        assertEquals(RejectReason.BAD_TYPE, p.b.receive(transport, Pair.SRC_A, false).reason());
        assertEquals(RejectReason.BAD_LENGTH, p.b.receive(new byte[] {2, 0, 0, 0}, Pair.SRC_A, false).reason());
        byte[] shortCookie = new byte[63];
        shortCookie[0] = 3;
        assertEquals(RejectReason.BAD_LENGTH, p.b.receive(shortCookie, Pair.SRC_A, false).reason());
        assertEquals(7, p.b.counters().rejected(RejectReason.BAD_LENGTH));
        assertEquals(2, p.b.counters().rejected(RejectReason.BAD_TYPE));
        // an initiation embedded at an offset in a larger buffer is fine
        byte[] big = new byte[300];
        System.arraycopy(init, 0, big, 77, 148);
        assertEquals(SEND_RESPONSE, p.b.receive(big, 77, 148, Pair.SRC_A, false).kind());
    }

    @Test
    void badPeerConfigurationIsAClearError() {
        Pair p = new Pair();
        assertThrows(IllegalArgumentException.class, () -> p.a.addPeer(new byte[31], null));
        assertThrows(IllegalArgumentException.class, () -> p.a.addPeer(p.keyA.publicKey(), null));
        assertThrows(IllegalArgumentException.class, () -> p.a.addPeer(p.keyB.publicKey(), new byte[5]));
        assertSame(p.bAtA, p.a.addPeer(p.keyB.publicKey(), null));
        NoisePeer lowOrder = p.a.addPeer(new byte[32], null);
        assertThrows(IllegalStateException.class, () -> p.a.createInitiation(lowOrder));
    }

    @Test
    void sessionKeysNeverPrintKeys() {
        Pair p = new Pair();
        SessionKeys k = handshake(p)[0];
        String s = k.toString();
        assertFalse(s.contains(java.util.HexFormat.of().formatHex(k.sendKey())));
        byte[] copy = k.sendKey();
        copy[0] ^= 1;
        assertFalse(Arrays.equals(copy, k.sendKey()), "accessors must return copies");
    }
}
