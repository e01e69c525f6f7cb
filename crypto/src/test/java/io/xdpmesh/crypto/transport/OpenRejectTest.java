package io.xdpmesh.crypto.transport;

import static io.xdpmesh.crypto.transport.TransportData.PAYLOAD_OFFSET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every reject reason of open(), each counted exactly once under its own name. */
class OpenRejectTest {
    private static final long T0 = 5_000_000_000L;
    private final TransportSealer sealer = new TransportSealer();
    private final TransportOpener opener = new TransportOpener();
    private Keypair[] kps;
    private MemorySegment seg;

    @BeforeEach
    void setUp() {
        kps = TestKeys.mirrored(11, 0x101, 0x202, T0);
        seg = MemorySegment.ofArray(new byte[2048]);
    }

    private int sealIpv4(int len) {
        TestKeys.ipv4(seg, PAYLOAD_OFFSET, len, len);
        return sealer.seal(kps[0], seg, 0, len, 1420, T0);
    }

    private void expectReject(int status, int result) {
        assertEquals(-status, result, "expected " + OpenStatus.name(status) + " got "
                + (result < 0 ? OpenStatus.name(-result) : "ok " + result));
        assertEquals(1, opener.counters().get(status), OpenStatus.name(status) + " counted once");
        assertEquals(1, opener.counters().rejects(), "no other reason counted");
    }

    private void poke(long at, int value) {
        seg.set(ValueLayout.JAVA_BYTE, at, (byte) value);
    }

    @Test
    void tooShort() {
        int n = sealIpv4(20);
        for (int len = 0; len < 32; len++) {
            assertEquals(-OpenStatus.TOO_SHORT, opener.open(kps[1], seg, 0, len, T0));
        }
        assertEquals(32, opener.counters().get(OpenStatus.TOO_SHORT));
        assertEquals(20, opener.open(kps[1], seg, 0, n, T0), "the short reads left the message usable");
    }

    @Test
    void badTypeAndNonZeroReserved() {
        int n = sealIpv4(20);
        poke(0, 1);
        expectReject(OpenStatus.BAD_TYPE, opener.open(kps[1], seg, 0, n, T0));
        poke(0, 4);
        poke(2, 1); // reserved byte
        assertEquals(-OpenStatus.BAD_TYPE, opener.open(kps[1], seg, 0, n, T0));
        assertEquals(2, opener.counters().get(OpenStatus.BAD_TYPE));
    }

    @Test
    void unknownIndex() {
        int n = sealIpv4(20);
        expectReject(OpenStatus.UNKNOWN_INDEX, opener.open(null, seg, 0, n, T0));
        // A keypair whose local index is not the message's receiver index is not used.
        assertEquals(-OpenStatus.UNKNOWN_INDEX, opener.open(kps[0], seg, 0, n, T0));
    }

    @Test
    void replayAndTooOld() {
        int n = sealIpv4(20);
        byte[] copy = TestKeys.bytes(seg, 0, n);
        assertEquals(20, opener.open(kps[1], seg, 0, n, T0));
        MemorySegment.copy(MemorySegment.ofArray(copy), 0, seg, 0, n);
        expectReject(OpenStatus.REPLAY, opener.open(kps[1], seg, 0, n, T0));
        assertArrayEquals(copy, TestKeys.bytes(seg, 0, n), "a replay is rejected before decryption");

        kps[0].sendCounter(ReplayWindow.WINDOW_SIZE + 2);
        int m = sealIpv4(20);
        assertEquals(20, opener.open(kps[1], seg, 0, m, T0));
        // Counter 1 was never received but is now more than the window behind.
        kps[0].sendCounter(1);
        m = sealIpv4(20);
        assertEquals(-OpenStatus.REPLAY, opener.open(kps[1], seg, 0, m, T0));
    }

    @Test
    void counterLimit() {
        kps[0].sendCounter(WireGuardConstants.REJECT_AFTER_MESSAGES - 1);
        int n = sealIpv4(20);
        assertEquals(20, opener.open(kps[1], seg, 0, n, T0), "the last valid counter opens");
        sealIpv4(20);
        // A forged header with a counter at the limit: rejected before any decryption.
        seg.set(TransportData.LONG_LE, TransportData.COUNTER_OFFSET, WireGuardConstants.REJECT_AFTER_MESSAGES);
        expectReject(OpenStatus.COUNTER_LIMIT, opener.open(kps[1], seg, 0, n, T0));
        seg.set(TransportData.LONG_LE, TransportData.COUNTER_OFFSET, -1L);
        assertEquals(-OpenStatus.COUNTER_LIMIT, opener.open(kps[1], seg, 0, n, T0));
    }

    @Test
    void authFailureOnAnyFlippedBit() {
        int n = sealIpv4(60);
        byte[] good = TestKeys.bytes(seg, 0, n);
        int count = 0;
        for (int i = 8; i < n; i += 5) { // counter, ciphertext and tag (not type/index)
            MemorySegment.copy(MemorySegment.ofArray(good), 0, seg, 0, n);
            poke(i, good[i] ^ (1 << (i % 8)));
            assertEquals(-OpenStatus.AUTH_FAILED, opener.open(kps[1], seg, 0, n, T0), "flip at " + i);
            count++;
        }
        assertEquals(count, opener.counters().get(OpenStatus.AUTH_FAILED));
        MemorySegment.copy(MemorySegment.ofArray(good), 0, seg, 0, n);
        assertEquals(60, opener.open(kps[1], seg, 0, n, T0), "failed opens did not consume the counter");
    }

    @Test
    void authFailureWithTheWrongKey() {
        int n = sealIpv4(20);
        Keypair other = TestKeys.mirrored(99, 0x101, 0x202, T0)[1];
        expectReject(OpenStatus.AUTH_FAILED, opener.open(other, seg, 0, n, T0));
    }

    @Test
    void keypairExpired() {
        int n = sealIpv4(20);
        expectReject(OpenStatus.KEYPAIR_EXPIRED,
                opener.open(kps[1], seg, 0, n, T0 + WireGuardConstants.REJECT_AFTER_TIME));
        kps[1].invalidate();
        assertEquals(-OpenStatus.KEYPAIR_EXPIRED, opener.open(kps[1], seg, 0, n, T0));
    }

    @Test
    void notAlignedPadding() {
        // Authentic message whose plaintext carries 16 bytes of padding: no WireGuard sender does that.
        TestKeys.ipv4(seg, PAYLOAD_OFFSET, 20, 1);
        int n = sealer.seal(kps[0], seg, 0, 36, 0, T0); // 36 -> 48 padded, but the IP header says 20
        assertEquals(80, n);
        expectReject(OpenStatus.NOT_ALIGNED, opener.open(kps[1], seg, 0, n, T0));
    }

    @Test
    void badInnerPacket() {
        seg.fill((byte) 0);
        seg.set(ValueLayout.JAVA_BYTE, PAYLOAD_OFFSET, (byte) 0x50); // version 5
        int n = sealer.seal(kps[0], seg, 0, 32, 0, T0);
        expectReject(OpenStatus.BAD_INNER_PACKET, opener.open(kps[1], seg, 0, n, T0));
        // IPv4 total length larger than the plaintext.
        TestKeys.ipv4(seg, PAYLOAD_OFFSET, 20, 2);
        seg.set(ValueLayout.JAVA_BYTE, PAYLOAD_OFFSET + 2, (byte) 0x05);
        n = sealer.seal(kps[0], seg, 0, 20, 0, T0);
        assertEquals(-OpenStatus.BAD_INNER_PACKET, opener.open(kps[1], seg, 0, n, T0));
    }

    @Test
    void statusNames() {
        assertEquals("auth_failed", OpenStatus.name(OpenStatus.AUTH_FAILED));
        assertEquals("counter_limit", opener.counters().name(OpenStatus.COUNTER_LIMIT));
        assertEquals(OpenStatus.COUNT, opener.counters().size());
    }
}
