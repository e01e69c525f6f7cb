package io.xdpmesh.crypto.transport;

import io.xdpmesh.crypto.aead.JdkPacketAead;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/** Mirrored keypairs and inner packets for tests (real JDK ChaCha20-Poly1305, nothing mocked). */
final class TestKeys {
    private TestKeys() {}

    static byte[] key(int seed) {
        byte[] k = new byte[32];
        new Random(seed).nextBytes(k);
        return k;
    }

    /** [0] = initiator side, [1] = responder side, created at {@code now}. */
    static Keypair[] mirrored(int seed, int initiatorIndex, int responderIndex, long now) {
        byte[] i2r = key(seed);
        byte[] r2i = key(seed + 1000);
        Keypair initiator = new Keypair(new JdkPacketAead(i2r), new JdkPacketAead(r2i),
                initiatorIndex, responderIndex, true, now);
        Keypair responder = new Keypair(new JdkPacketAead(r2i), new JdkPacketAead(i2r),
                responderIndex, initiatorIndex, false, now);
        return new Keypair[] {initiator, responder};
    }

    /** Writes an IPv4 packet of {@code len} bytes (>= 20) at {@code off}, random body. */
    static void ipv4(MemorySegment seg, long off, int len, int seed) {
        Random r = new Random(seed);
        for (int i = 0; i < len; i++) {
            seg.set(ValueLayout.JAVA_BYTE, off + i, (byte) r.nextInt());
        }
        seg.set(ValueLayout.JAVA_BYTE, off, (byte) 0x45);
        seg.set(ValueLayout.JAVA_BYTE, off + 2, (byte) (len >>> 8));
        seg.set(ValueLayout.JAVA_BYTE, off + 3, (byte) len);
    }

    /** Writes an IPv6 packet of {@code len} bytes (>= 40) at {@code off}, random body. */
    static void ipv6(MemorySegment seg, long off, int len, int seed) {
        Random r = new Random(seed);
        for (int i = 0; i < len; i++) {
            seg.set(ValueLayout.JAVA_BYTE, off + i, (byte) r.nextInt());
        }
        seg.set(ValueLayout.JAVA_BYTE, off, (byte) 0x60);
        int payload = len - 40;
        seg.set(ValueLayout.JAVA_BYTE, off + 4, (byte) (payload >>> 8));
        seg.set(ValueLayout.JAVA_BYTE, off + 5, (byte) payload);
    }

    static byte[] bytes(MemorySegment seg, long off, int len) {
        return seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE);
    }

    static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s);
    }
}
