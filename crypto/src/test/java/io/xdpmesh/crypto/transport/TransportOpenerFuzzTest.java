package io.xdpmesh.crypto.transport;

import static io.xdpmesh.crypto.transport.TransportData.PAYLOAD_OFFSET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.xdpmesh.crypto.aead.JdkPacketAead;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * open() on anything: it never throws, returns either an inner length inside the message or a
 * known reject code, and counts exactly one outcome per call. The first input byte picks the mode:
 * <ul>
 *   <li>0: the rest is the message itself, opened with a keypair for index 0x11223344 (the seeds are
 *       real messages for that key, so mutations reach decryption);</li>
 *   <li>1: u16 MTU, a mutation count and (u16 position, xor) triples, then a plaintext that is
 *       sealed for real and opened after the mutations: reaches padding and inner-packet checks,
 *       and without mutations the plaintext must come back;</li>
 *   <li>other: the rest is the message, opened with no keypair or an expired one.</li>
 * </ul>
 */
class TransportOpenerFuzzTest {
    private static final long T0 = 1_000_000_000L;
    private static final int INDEX = 0x11223344;
    private static final byte[] KEY = new byte[32];

    static {
        for (int i = 0; i < 32; i++) {
            KEY[i] = (byte) (0x80 + i);
        }
    }

    private final Keypair receiver = new Keypair(new JdkPacketAead(KEY), new JdkPacketAead(KEY), INDEX, 0x55, false, T0);
    private final Keypair sender = new Keypair(new JdkPacketAead(KEY), new JdkPacketAead(KEY), 0x55, INDEX, true, T0);
    private final TransportOpener opener = new TransportOpener();
    private final TransportSealer sealer = new TransportSealer();
    private long calls;

    @FuzzTest(maxDuration = "20s")
    void openNeverThrowsAndCountsEveryReject(byte[] input) {
        if (input.length == 0) {
            return;
        }
        receiver.replayWindow().reset();
        int mode = input[0] & 0xff;
        if (mode == 0) {
            byte[] msg = Arrays.copyOfRange(input, 1, input.length);
            check(receiver, msg, T0);
        } else if (mode == 1) {
            sealMutateOpen(input);
        } else {
            byte[] msg = Arrays.copyOfRange(input, 1, input.length);
            check((mode & 1) == 0 ? null : receiver, msg, T0 + WireGuardConstants.REJECT_AFTER_TIME);
        }
    }

    private int check(Keypair kp, byte[] msg, long now) {
        MemorySegment seg = MemorySegment.ofArray(msg);
        int r = opener.open(kp, seg, 0, msg.length, now);
        OpenOutcomes.assertCounted(opener, r, msg.length, ++calls);
        return r;
    }

    private void sealMutateOpen(byte[] in) {
        if (in.length < 4) {
            return;
        }
        int mtu = ((in[1] & 0xff) << 8) | (in[2] & 0xff);
        int mutations = (in[3] & 0xff) % 4;
        int pos = 4;
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
        int padded = TransportData.paddedLength(plain.length, mtu);
        byte[] buf = new byte[TransportData.OVERHEAD + padded];
        System.arraycopy(plain, 0, buf, PAYLOAD_OFFSET, plain.length);
        int n = sealer.seal(sender, MemorySegment.ofArray(buf), 0, plain.length, mtu, T0);
        assertEquals(buf.length, n);
        boolean changed = false;
        for (int i = 0; i < mutations; i++) {
            int p = at[i] % n;
            changed |= xor[i] != 0;
            buf[p] ^= xor[i];
        }
        int r = check(receiver, buf, T0);
        if (!changed) {
            // The sender padded with zeros; the IP header may claim some of that padding, as in WireGuard.
            byte[] paddedPlain = Arrays.copyOf(plain, padded);
            int inner = plain.length == 0 ? 0 : InnerPacket.length(MemorySegment.ofArray(paddedPlain), 0, padded);
            if (plain.length == 0) {
                assertEquals(0, r, "keepalive");
            } else if (inner < 0) {
                assertEquals(-OpenStatus.BAD_INNER_PACKET, r);
            } else if (!TransportData.paddingConsistent(inner, padded)) {
                assertEquals(-OpenStatus.NOT_ALIGNED, r);
            } else {
                assertEquals(inner, r);
                assertArrayEquals(Arrays.copyOf(paddedPlain, inner), Arrays.copyOfRange(buf, PAYLOAD_OFFSET, PAYLOAD_OFFSET + inner));
            }
        }
    }
}
