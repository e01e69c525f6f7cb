package io.xdpmesh.crypto.transport;

import static io.xdpmesh.crypto.transport.TransportData.PAYLOAD_OFFSET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xdpmesh.crypto.aead.JdkPacketAead;
import io.xdpmesh.crypto.aead.PacketMac;
import io.xdpmesh.crypto.primitives.ChaChaPoly;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The auth verdict's message (type 0x84): clear payload, tag over header and packet, same keypair rules. */
class AuthenticatedTransportTest {
    private static final long T0 = 1_000_000_000L;

    private static Keypair[] pair() {
        byte[] i2r = TestKeys.key(1);
        byte[] r2i = TestKeys.key(2);
        Keypair a = new Keypair(new JdkPacketAead(i2r), new JdkPacketAead(r2i), new PacketMac(i2r), new PacketMac(r2i),
                10, 20, true, T0);
        Keypair b = new Keypair(new JdkPacketAead(r2i), new JdkPacketAead(i2r), new PacketMac(r2i), new PacketMac(i2r),
                20, 10, false, T0);
        return new Keypair[] {a, b};
    }

    @Test
    void roundTripKeepsThePacketInTheClearAndTheTagIsTheRfcAeadTag() {
        Keypair[] kp = pair();
        TransportSealer sealer = new TransportSealer();
        TransportOpener opener = new TransportOpener();
        for (int len : new int[] {20, 21, 60, 1420, 1500, 9000}) {
            MemorySegment seg = MemorySegment.ofArray(new byte[len + 64]);
            TestKeys.ipv4(seg, PAYLOAD_OFFSET, len, len);
            byte[] inner = TestKeys.bytes(seg, PAYLOAD_OFFSET, len);
            int n = sealer.authenticate(kp[0], seg, 0, len, T0);
            assertEquals(TransportData.OVERHEAD + len, n, "no padding");
            assertEquals(TransportData.AUTHENTICATED_TYPE, TransportData.typeWord(seg, 0));
            assertEquals(20, TransportData.receiverIndex(seg, 0));
            assertArrayEquals(inner, TestKeys.bytes(seg, PAYLOAD_OFFSET, len), "payload in the clear");
            long counter = TransportData.counter(seg, 0);
            byte[] expected = ChaChaPoly.seal(TestKeys.key(1), ChaChaPoly.nonce(counter), new byte[0],
                    TestKeys.bytes(seg, 0, PAYLOAD_OFFSET + len));
            assertArrayEquals(expected, TestKeys.bytes(seg, PAYLOAD_OFFSET + len, 16), "tag = RFC 8439 tag, header+packet as AAD");
            assertEquals(len, opener.openAuthenticated(kp[1], seg, 0, n, T0));
            assertArrayEquals(inner, TestKeys.bytes(seg, PAYLOAD_OFFSET, len));
            assertEquals(-OpenStatus.REPLAY, opener.openAuthenticated(kp[1], seg, 0, n, T0), "replayed");
        }
    }

    @Test
    void typesDoNotCrossAndTamperingIsCaught() {
        Keypair[] kp = pair();
        TransportSealer sealer = new TransportSealer();
        TransportOpener opener = new TransportOpener();
        MemorySegment seg = MemorySegment.ofArray(new byte[200]);
        TestKeys.ipv4(seg, PAYLOAD_OFFSET, 100, 5);
        int n = sealer.authenticate(kp[0], seg, 0, 100, T0);
        byte[] msg = TestKeys.bytes(seg, 0, n);
        assertEquals(-OpenStatus.BAD_TYPE, opener.open(kp[1], MemorySegment.ofArray(msg.clone()), 0, n, T0),
                "an authenticated message is never taken as a sealed one");
        for (int at : new int[] {0, 5, 9, 16, 60, n - 1}) {
            byte[] m = msg.clone();
            m[at] ^= 0x20;
            int r = opener.openAuthenticated(kp[1], MemorySegment.ofArray(m), 0, n, T0);
            assertEquals(at == 0 ? -OpenStatus.BAD_TYPE : at < 8 ? -OpenStatus.UNKNOWN_INDEX : -OpenStatus.AUTH_FAILED, r,
                    "byte " + at);
        }
        // A sealed (type 4) message is not accepted as authenticated.
        MemorySegment s4 = MemorySegment.ofArray(new byte[200]);
        TestKeys.ipv4(s4, PAYLOAD_OFFSET, 100, 6);
        int n4 = sealer.seal(kp[0], s4, 0, 100, 0, T0);
        assertEquals(-OpenStatus.BAD_TYPE, opener.openAuthenticated(kp[1], s4, 0, n4, T0));
        // The header length claims must match exactly: no padding is allowed to hide data.
        MemorySegment pad = MemorySegment.ofArray(new byte[200]);
        TestKeys.ipv4(pad, PAYLOAD_OFFSET, 100, 7);
        pad.set(ValueLayout.JAVA_BYTE, PAYLOAD_OFFSET + 3, (byte) 96);
        int np = sealer.authenticate(kp[0], pad, 0, 100, T0);
        assertEquals(-OpenStatus.NOT_ALIGNED, opener.openAuthenticated(kp[1], pad, 0, np, T0));
        assertEquals(0, opener.counters().get(0));
    }

    @Test
    void keepaliveAndKeypairsWithoutMacKeys() {
        Keypair[] kp = pair();
        TransportSealer sealer = new TransportSealer();
        TransportOpener opener = new TransportOpener();
        MemorySegment seg = MemorySegment.ofArray(new byte[64]);
        assertEquals(32, sealer.authenticate(kp[0], seg, 0, 0, T0));
        assertEquals(0, opener.openAuthenticated(kp[1], seg, 0, 32, T0));
        assertEquals(1, opener.keepalives());
        Keypair[] plain = TestKeys.mirrored(9, 1, 2, T0);
        assertEquals(-SealStatus.NO_MAC_KEY, sealer.authenticate(plain[0], seg, 0, 20, T0));
        byte[] msg = Arrays.copyOf(TestKeys.bytes(seg, 0, 32), 32);
        msg[4] = 1;
        msg[5] = msg[6] = msg[7] = 0;
        assertEquals(-OpenStatus.NO_MAC_KEY, opener.openAuthenticated(plain[0], MemorySegment.ofArray(msg), 0, 32, T0));
        assertEquals(-SealStatus.NO_ROOM, sealer.authenticate(kp[0], MemorySegment.ofArray(new byte[40]), 0, 20, T0));
    }
}
