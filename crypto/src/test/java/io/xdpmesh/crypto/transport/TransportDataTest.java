package io.xdpmesh.crypto.transport;

import static io.xdpmesh.crypto.transport.TransportData.OVERHEAD;
import static io.xdpmesh.crypto.transport.TransportData.PAYLOAD_OFFSET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.crypto.aead.JdkPacketAead;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TransportDataTest {
    private static final long T0 = 1_000_000_000L;
    private final TransportSealer sealer = new TransportSealer();
    private final TransportOpener opener = new TransportOpener();

    @Test
    void paddingIsWireGuards() {
        assertEquals(0, TransportData.paddedLength(0, 1420));
        assertEquals(16, TransportData.paddedLength(1, 1420));
        assertEquals(16, TransportData.paddedLength(16, 1420));
        assertEquals(32, TransportData.paddedLength(17, 1420));
        assertEquals(1408, TransportData.paddedLength(1408, 1420));
        // 1409..1420 would round to 1424 > MTU: capped at the MTU, no longer a multiple of 16.
        assertEquals(1420, TransportData.paddedLength(1409, 1420));
        assertEquals(1420, TransportData.paddedLength(1420, 1420));
        assertEquals(1424, TransportData.paddedLength(1420, 0), "no MTU: plain rounding");
        assertEquals(1500, TransportData.paddedLength(1500, 1420), "over-MTU packets pad by len % mtu");
        assertEquals(1436, TransportData.paddedLength(1430, 1420));
        assertEquals(32, TransportData.messageLength(0, 1420));
    }

    @Test
    void paddingConsistency() {
        assertTrue(TransportData.paddingConsistent(25, 32));
        assertTrue(TransportData.paddingConsistent(32, 32));
        assertFalse(TransportData.paddingConsistent(16, 32), "16 bytes of padding: never produced");
        assertFalse(TransportData.paddingConsistent(33, 32));
        assertTrue(TransportData.paddingConsistent(1409, 1420), "capped at MTU 1420");
        assertTrue(TransportData.paddingConsistent(1420, 1420));
        assertFalse(TransportData.paddingConsistent(1408, 1420), "1408 would have been sent as 1408");
        assertFalse(TransportData.paddingConsistent(100, 1420));
    }

    /** Byte-exact layout against a vector computed with Python's cryptography (OpenSSL). */
    @Test
    void layoutMatchesIndependentVector() {
        byte[] key = new byte[32];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) (0x80 + i);
        }
        Keypair kp = new Keypair(new JdkPacketAead(key), new JdkPacketAead(key), 0x55, 0x11223344, true, T0);
        kp.sendCounter(0x0000000100000007L);
        MemorySegment seg = MemorySegment.ofArray(new byte[128]);
        seg.fill((byte) 0xEE); // junk where header and padding go: seal must overwrite it
        byte[] inner = new byte[25];
        inner[0] = 0x45;
        inner[3] = 25;
        for (int i = 4; i < 25; i++) {
            inner[i] = (byte) (i - 3);
        }
        MemorySegment.copy(MemorySegment.ofArray(inner), 0, seg, 16 + PAYLOAD_OFFSET, 25);
        int n = sealer.seal(kp, seg, 16, 25, 1420, T0);
        assertEquals(64, n);
        assertArrayEquals(TestKeys.hex("040000004433221107000000010000008bb0f3318957052e9bf152ae2c45e5f4"
                + "911f369b8d53fb8fdb847396032459c3177123679d16ce9918107f967b42fbab"), TestKeys.bytes(seg, 16, n));
        assertEquals((byte) 0xEE, seg.get(ValueLayout.JAVA_BYTE, 16 + n), "nothing written past the tag");

        Keypair ka = new Keypair(new JdkPacketAead(key), new JdkPacketAead(key), 0x55, 0x11223344, true, T0);
        assertEquals(32, sealer.sealKeepalive(ka, seg, 0, T0));
        assertArrayEquals(TestKeys.hex("040000004433221100000000000000003ae5d3f2a376d317eaea5aef0215ba54"),
                TestKeys.bytes(seg, 0, 32));
    }

    /** Same layout, expected bytes assembled by hand around a raw JDK Cipher, random sizes. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 16, 17, 20, 63, 64, 255, 1280, 1409, 1420})
    void layoutMatchesRawCipher(int innerLen) throws Exception {
        Keypair[] kps = TestKeys.mirrored(7, 0x01020304, 0xA0B0C0D0, T0);
        kps[0].sendCounter(0x1122334455667788L);
        MemorySegment seg = MemorySegment.ofArray(new byte[2048]);
        byte[] inner = new byte[innerLen];
        new java.util.Random(innerLen).nextBytes(inner);
        MemorySegment.copy(MemorySegment.ofArray(inner), 0, seg, PAYLOAD_OFFSET, innerLen);
        int n = sealer.seal(kps[0], seg, 0, innerLen, 1420, T0);

        int padded = TransportData.paddedLength(innerLen, 1420);
        Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
        byte[] nonce = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putLong(0x1122334455667788L).array();
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(TestKeys.key(7), "ChaCha20"), new IvParameterSpec(nonce));
        byte[] ct = c.doFinal(Arrays.copyOf(inner, padded));
        ByteBuffer expect = ByteBuffer.allocate(16 + ct.length).order(ByteOrder.LITTLE_ENDIAN);
        expect.put((byte) 4).put((byte) 0).put((byte) 0).put((byte) 0).putInt(0xA0B0C0D0).putLong(0x1122334455667788L).put(ct);
        assertEquals(expect.capacity(), n);
        assertArrayEquals(expect.array(), TestKeys.bytes(seg, 0, n));
    }

    @Test
    void keepaliveRoundTrip() {
        Keypair[] kps = TestKeys.mirrored(1, 11, 22, T0);
        MemorySegment seg = MemorySegment.ofArray(new byte[64]);
        assertEquals(32, sealer.sealKeepalive(kps[0], seg, 0, T0));
        assertEquals(22, TransportData.receiverIndex(seg, 0));
        assertEquals(0, opener.open(kps[1], seg, 0, 32, T0));
        assertEquals(1, opener.keepalives());
        assertEquals(0, opener.counters().rejects());
    }

    @ParameterizedTest
    @ValueSource(ints = {20, 21, 36, 100, 1279, 1280, 1408, 1409, 1419, 1420})
    void ipv4RoundTripInANativeFrameAtAnOffset(int innerLen) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment frame = arena.allocate(4096);
            long off = 256 + 42; // headroom + Ethernet/IP/UDP in front, as in a UMEM frame
            TestKeys.ipv4(frame, off + PAYLOAD_OFFSET, innerLen, innerLen);
            byte[] inner = TestKeys.bytes(frame, off + PAYLOAD_OFFSET, innerLen);
            Keypair[] kps = TestKeys.mirrored(2, 0x7000_0001, 0x7000_0002, T0);
            int n = sealer.seal(kps[1], frame, off, innerLen, 1420, T0);
            int padded = TransportData.paddedLength(innerLen, 1420);
            assertEquals(OVERHEAD + padded, n);
            assertTrue(padded <= 1420, "padding never exceeds the MTU");
            assertTrue(padded % 16 == 0 || padded == 1420);
            assertEquals(innerLen, opener.open(kps[0], frame, off, n, T0));
            assertArrayEquals(inner, TestKeys.bytes(frame, off + PAYLOAD_OFFSET, innerLen));
            assertEquals(1, opener.counters().get(0));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {40, 41, 56, 1280, 1420})
    void ipv6RoundTrip(int innerLen) {
        MemorySegment seg = MemorySegment.ofArray(new byte[2048]);
        TestKeys.ipv6(seg, PAYLOAD_OFFSET, innerLen, innerLen);
        byte[] inner = TestKeys.bytes(seg, PAYLOAD_OFFSET, innerLen);
        Keypair[] kps = TestKeys.mirrored(3, 5, 6, T0);
        int n = sealer.seal(kps[0], seg, 0, innerLen, 0, T0);
        assertEquals(OVERHEAD + TransportData.align16(innerLen), n);
        assertEquals(innerLen, opener.open(kps[1], seg, 0, n, T0));
        assertArrayEquals(inner, TestKeys.bytes(seg, PAYLOAD_OFFSET, innerLen));
    }

    @Test
    void paddingIsZeroedOverJunk() {
        MemorySegment seg = MemorySegment.ofArray(new byte[256]);
        seg.fill((byte) 0x5A);
        TestKeys.ipv4(seg, PAYLOAD_OFFSET, 21, 9);
        Keypair[] kps = TestKeys.mirrored(4, 1, 2, T0);
        int n = sealer.seal(kps[0], seg, 0, 21, 1420, T0);
        assertEquals(64, n);
        // Decrypt the whole padded plaintext with the raw receive cipher to look at the padding.
        assertTrue(kps[1].receiver().open(seg, PAYLOAD_OFFSET, 32, 0));
        for (int i = 21; i < 32; i++) {
            assertEquals(0, seg.get(ValueLayout.JAVA_BYTE, PAYLOAD_OFFSET + i), "padding byte " + i);
        }
    }

    @Test
    void sealRefusals() {
        Keypair[] kps = TestKeys.mirrored(5, 1, 2, T0);
        MemorySegment small = MemorySegment.ofArray(new byte[16 + 32 + 15]);
        assertEquals(-SealStatus.NO_ROOM, sealer.seal(kps[0], small, 0, 20, 1420, T0));
        assertEquals(0, kps[0].sendCounter(), "a refused seal uses no counter");
        MemorySegment seg = MemorySegment.ofArray(new byte[128]);
        assertEquals(-SealStatus.NO_VALID_KEYPAIR, sealer.seal(null, seg, 0, 20, 1420, T0));
        assertEquals(-SealStatus.NO_VALID_KEYPAIR,
                sealer.seal(kps[0], seg, 0, 20, 1420, T0 + WireGuardConstants.REJECT_AFTER_TIME));
        kps[0].sendCounter(WireGuardConstants.REJECT_AFTER_MESSAGES - 1);
        assertEquals(32, sealer.sealKeepalive(kps[0], seg, 0, T0));
        assertEquals(WireGuardConstants.REJECT_AFTER_MESSAGES - 1, TransportData.counter(seg, 0));
        assertEquals(-SealStatus.NO_VALID_KEYPAIR, sealer.sealKeepalive(kps[0], seg, 0, T0));
        assertEquals(-1, kps[0].nextSendCounter(), "past the limit no counter is handed out");
        assertEquals(1, sealer.counters().get(SealStatus.NO_ROOM));
        assertEquals(3, sealer.counters().get(SealStatus.NO_VALID_KEYPAIR));
    }
}
