package io.xdpmesh.crypto.transport;

import static io.xdpmesh.crypto.transport.TransportData.PAYLOAD_OFFSET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.xdpmesh.crypto.aead.JdkPacketAead;
import io.xdpmesh.crypto.aead.PacketMac;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * openAuthenticated() on anything never throws, returns an inner length inside the message or a
 * known reject, counts one outcome per call, and never accepts a message that differs from one
 * that was really authenticated. First input byte: 0 = the rest is a message; otherwise a mutation
 * count and (u16 position, xor) pairs, then a payload that is authenticated for real, mutated, opened.
 */
class AuthenticatedOpenerFuzzTest {
    private static final long T0 = 1_000_000_000L;
    private static final byte[] KEY = new byte[32];

    static {
        Arrays.fill(KEY, (byte) 0x42);
    }

    private final Keypair receiver = new Keypair(new JdkPacketAead(KEY), new JdkPacketAead(KEY), new PacketMac(KEY),
            new PacketMac(KEY), 0x11223344, 0x55, false, T0);
    private final Keypair sender = new Keypair(new JdkPacketAead(KEY), new JdkPacketAead(KEY), new PacketMac(KEY),
            new PacketMac(KEY), 0x55, 0x11223344, true, T0);
    private final TransportOpener opener = new TransportOpener();
    private final TransportSealer sealer = new TransportSealer();
    private long calls;

    @FuzzTest(maxDuration = "20s")
    void openAuthenticatedNeverAcceptsAForgery(byte[] in) {
        if (in.length < 2) {
            return;
        }
        receiver.replayWindow().reset();
        if (in[0] == 0) {
            byte[] msg = Arrays.copyOfRange(in, 1, in.length);
            check(msg);
            return;
        }
        int mutations = (in[1] & 0xff) % 4;
        int pos = 2;
        if (in.length < pos + 3 * mutations) {
            return;
        }
        int[] at = new int[mutations];
        byte[] xor = new byte[mutations];
        for (int i = 0; i < mutations; i++, pos += 3) {
            at[i] = ((in[pos] & 0xff) << 8) | (in[pos + 1] & 0xff);
            xor[i] = in[pos + 2];
        }
        byte[] plain = Arrays.copyOfRange(in, pos, in.length);
        byte[] buf = new byte[TransportData.OVERHEAD + plain.length];
        System.arraycopy(plain, 0, buf, PAYLOAD_OFFSET, plain.length);
        int n = sealer.authenticate(sender, MemorySegment.ofArray(buf), 0, plain.length, T0);
        assertEquals(buf.length, n);
        byte[] original = buf.clone();
        for (int i = 0; i < mutations; i++) {
            buf[at[i] % n] ^= xor[i];
        }
        int r = check(buf);
        if (r >= 0) {
            assertArrayEquals(original, buf, "only an unmodified message is accepted");
        }
    }

    private int check(byte[] msg) {
        int r = opener.openAuthenticated(receiver, MemorySegment.ofArray(msg), 0, msg.length, T0);
        OpenOutcomes.assertCounted(opener, r, msg.length, ++calls);
        return r;
    }
}
