package io.xdpmesh.crypto.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.crypto.primitives.Blake2s;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Shared by the handshake fuzz targets. An input is a small recipe, so seeds are easy to write:
 * byte 0 holds flags (bit 0: PSK, bit 1: raw message = the rest of the input, bit 2: keep the
 * valid length, bit 3: redo MAC1 after editing, bit 4: under load); byte 1 is the length when bit
 * 2 is clear; byte 2 the number of edits (0..8); then (position, value) byte pairs.
 */
final class FuzzSupport {
    static final int PSK = 1, RAW = 2, KEEP_LENGTH = 4, REMAC = 8, UNDER_LOAD = 16;

    private FuzzSupport() {}

    /** Fixed static keys so seeds and findings reproduce; ephemerals and indexes stay random. */
    static final class Fixture {
        final FakeClock clock = new FakeClock();
        final StaticKeyPair keyA = StaticKeyPair.fromPrivate(Blake2s.hash("fuzz initiator".getBytes()));
        final StaticKeyPair keyB = StaticKeyPair.fromPrivate(Blake2s.hash("fuzz responder".getBytes()));
        final NoiseHandshake a = new NoiseHandshake(keyA, new SecureRandom(), clock);
        final NoiseHandshake b = new NoiseHandshake(keyB, new SecureRandom(), clock);
        final NoisePeer bAtA;

        Fixture(byte[] input) {
            byte[] psk = (flags(input) & PSK) != 0 ? Blake2s.hash("fuzz psk".getBytes()) : null;
            bAtA = a.addPeer(keyB.publicKey(), psk);
            b.addPeer(keyA.publicKey(), psk);
        }
    }

    static int flags(byte[] input) {
        return input.length > 0 ? input[0] & 0xff : 0;
    }

    static boolean underLoad(byte[] input) {
        return (flags(input) & UNDER_LOAD) != 0;
    }

    /** The message the recipe describes, derived from {@code valid}. */
    static byte[] shape(byte[] input, byte[] valid, byte[] mac1For) {
        int flags = flags(input);
        if ((flags & RAW) != 0) {
            return Arrays.copyOfRange(input, 1, input.length);
        }
        int len = (flags & KEEP_LENGTH) != 0 ? valid.length : at(input, 1);
        byte[] msg = Arrays.copyOf(valid, len);
        int edits = Math.min(at(input, 2), 8);
        for (int i = 0, p = 3; i < edits && len > 0; i++, p += 2) {
            msg[at(input, p) % len] = (byte) at(input, p + 1);
        }
        if ((flags & REMAC) != 0 && mac1For != null && len == valid.length) {
            Pair.remac1(msg, mac1For);
        }
        return msg;
    }

    private static int at(byte[] input, int i) {
        return i < input.length ? input[i] & 0xff : 0;
    }

    /** Feeds {@code msg} to {@code h}: no throw, no INTERNAL_ERROR, each reject counted once. */
    static HandshakeOutcome check(NoiseHandshake h, byte[] msg, byte[] src, boolean underLoad) {
        long before = h.counters().totalRejected();
        HandshakeOutcome out = h.receive(msg, src, underLoad);
        assertNotNull(out);
        assertEquals(0, h.counters().rejected(RejectReason.INTERNAL_ERROR), "an exception was caught: " + out);
        long counted = h.counters().totalRejected() - before;
        switch (out.kind()) {
            case REJECTED -> {
                assertNotNull(out.reason());
                assertEquals(1, counted);
            }
            case SEND_COOKIE_REPLY -> {
                assertTrue(underLoad);
                assertEquals(RejectReason.COOKIE_NEEDED, out.reason());
                assertEquals(1, counted);
                assertEquals(WireGuard.COOKIE_REPLY_BYTES, out.reply().length);
            }
            case SEND_RESPONSE -> {
                assertEquals(0, counted);
                assertEquals(WireGuard.RESPONSE_BYTES, out.reply().length);
                assertNotNull(out.session());
            }
            case SESSION_ESTABLISHED -> {
                assertEquals(0, counted);
                assertNotNull(out.session());
            }
            case COOKIE_STORED -> assertEquals(0, counted);
        }
        return out;
    }
}
