package io.xdpmesh.dataplane.session;

import io.xdpmesh.crypto.transport.Keypair;
import io.xdpmesh.crypto.transport.TransportData;
import io.xdpmesh.crypto.transport.TransportOpener;
import io.xdpmesh.crypto.transport.TransportSealer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Seals and opens throw-away packets with a throw-away keypair before the dataplane serves any,
 * so the JIT has compiled the cipher (the Vector API path is orders of magnitude slower until C2
 * has compiled it) before the first packet of the first pair needs it. Bounded in count and time;
 * touches nothing the dataplane uses.
 */
public final class AeadWarmup {
    private static final int[] SIZES = {84, 128, 256, 576, 1420};

    private AeadWarmup() {}

    /** Up to {@code rounds} seal+open rounds or {@code budget}; returns the rounds run. */
    public static int run(int rounds, Duration budget) {
        long end = System.nanoTime() + budget.toNanos();
        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        ThreadLocalRandom.current().nextBytes(k1);
        ThreadLocalRandom.current().nextBytes(k2);
        int done = 0;
        long now = System.nanoTime();
        try (Arena arena = Arena.ofConfined();
             Keypair a = new Keypair(Aeads.create(k1), Aeads.create(k2), 1, 2, true, now);
             Keypair b = new Keypair(Aeads.create(k2), Aeads.create(k1), 2, 1, false, now)) {
            MemorySegment seg = arena.allocate(2048, 64);
            TransportSealer sealer = new TransportSealer();
            TransportOpener opener = new TransportOpener();
            while (done < rounds && ((done & 63) != 0 || System.nanoTime() < end)) {
                int len = SIZES[done % SIZES.length];
                long ip = TransportData.PAYLOAD_OFFSET; // a minimal IPv4 header: the opener checks the inner length
                seg.set(ValueLayout.JAVA_BYTE, ip, (byte) 0x45);
                seg.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), ip + 2, (short) len);
                int sealed = sealer.seal(a, seg, 0, len, 1420, now);
                if (sealed <= 0 || opener.open(b, seg, 0, sealed, now) != len) {
                    throw new IllegalStateException("warm-up packet " + done + " did not round-trip (" + sealed + ")");
                }
                done++;
            }
        }
        return done;
    }
}
