package io.xdpmesh.crypto.aead;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * open() on arbitrary bytes: never throws, accepts exactly what SunJCE accepts (a genuine seal),
 * and leaves no plaintext behind on a reject. The Jazzer target runs its seed corpus in every test
 * run (and fuzzes with JAZZER_FUZZ=1); the mutational test below always runs a bounded campaign
 * of bit flips, truncations and splices of valid packets.
 */
class OpenFuzzTest {
    private static final byte[] KEY = new byte[32];

    static {
        for (int i = 0; i < 32; i++) {
            KEY[i] = (byte) (31 * i + 5);
        }
    }

    private static final PacketAead VECTOR = new VectorPacketAead(KEY);
    private static final PacketAead EVP = new OpenSslPacketAead(KEY);
    private static final PacketAead FACTORY = PacketAeads.create(KEY);
    private static final JdkPacketAead JDK = new JdkPacketAead(KEY);

    @FuzzTest(maxDuration = "30s")
    void openArbitraryBytes(FuzzedDataProvider data) {
        long counter = data.consumeBoolean() ? data.consumeLong(0, 3) : data.consumeLong();
        checkOne(data.consumeRemainingAsBytes(), counter);
    }

    @Test
    void mutatedPacketsAreRejectedCleanly() {
        Random rnd = new Random(4242);
        for (int iter = 0; iter < 4000; iter++) {
            int len = rnd.nextInt(iter % 10 == 0 ? 1600 : 300);
            byte[] pkt = new byte[len + 16];
            rnd.nextBytes(pkt);
            long counter = rnd.nextInt(4);
            try (JdkPacketAead sealer = new JdkPacketAead(KEY)) { // SunJCE refuses a repeated key+nonce
                sealer.seal(MemorySegment.ofArray(pkt), 0, len, counter);
            }
            switch (rnd.nextInt(5)) {
                case 0 -> { } // genuine
                case 1 -> pkt[rnd.nextInt(pkt.length)] ^= (byte) (1 << rnd.nextInt(8));
                case 2 -> pkt = Arrays.copyOf(pkt, 16 + rnd.nextInt(pkt.length - 15)); // truncated: tag misplaced
                case 3 -> counter ^= 1L << rnd.nextInt(64);
                default -> rnd.nextBytes(pkt);
            }
            checkOne(pkt, counter);
        }
    }

    private static void checkOne(byte[] bytes, long counter) {
        if (bytes.length < PacketAead.TAG_BYTES) {
            return; // no room for a tag: the caller never passes this (open checks and throws IOOBE)
        }
        int len = bytes.length - PacketAead.TAG_BYTES;
        byte[] ref = bytes.clone();
        boolean want = JDK.open(MemorySegment.ofArray(ref), 0, len, counter);
        try (Arena arena = Arena.ofConfined()) {
            for (PacketAead a : new PacketAead[] {VECTOR, EVP, FACTORY}) {
                MemorySegment seg = arena.allocate(bytes.length + 3L).asSlice(3); // odd alignment
                seg.copyFrom(MemorySegment.ofArray(bytes));
                boolean got = a.open(seg, 0, len, counter);
                assertEquals(want, got, a.implementation());
                byte[] after = seg.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE);
                if (got) {
                    assertTrue(Arrays.equals(after, 0, len, ref, 0, len), a.implementation());
                } else {
                    assertTrue(Arrays.equals(after, 0, len, bytes, 0, len) || Arrays.equals(after, new byte[len]),
                            a.implementation() + " left something other than ciphertext or zeros");
                }
            }
        }
    }
}
