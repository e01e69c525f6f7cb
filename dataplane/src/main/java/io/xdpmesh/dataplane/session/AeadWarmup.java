package io.xdpmesh.dataplane.session;

import io.xdpmesh.crypto.transport.Keypair;
import io.xdpmesh.crypto.transport.TransportData;
import io.xdpmesh.crypto.transport.TransportOpener;
import io.xdpmesh.crypto.transport.TransportSealer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Seals and opens throw-away packets with a throw-away keypair before the dataplane serves any,
 * until C2 has compiled the cipher, so the first packet of the first pair does not need it. The
 * signal is allocation: the Vector API allocates on every operation until C2 has intrinsified the
 * method (the interpreter and C1 run its Java fallback), so the warm-up runs until a stretch of
 * rounds allocates nothing on this thread. A count alone was not enough: beside the TLS warm-up
 * the C2 queue is long, a fixed 40 000 rounds ended with the 8-block path still in C1, and under
 * busy-spinning dataplane threads C2 then never got to it (a jumbo TCP run allocated ~24 B per
 * packet). Sizes cover each ChaCha20 pass shape of the vector path and the OpenSSL route above
 * it. Bounded in rounds and time; touches nothing the dataplane uses.
 */
public final class AeadWarmup {
    private static final int[] SIZES = {84, 128, 256, 576, 1420, 1780, 4000, 8920};
    /** Rounds per allocation check, and clean checks in a row that end the warm-up. */
    static final int CHECK_EVERY = 256;
    static final int CLEAN_CHECKS = 4;
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

    private AeadWarmup() {}

    /** What a warm-up did: rounds run, and whether it ended allocation-free (the cipher compiled). */
    public record Result(int rounds, boolean allocationFree, long lastCheckBytes) {
        @Override
        public String toString() {
            return rounds + " packets sealed and opened, " + (allocationFree ? "allocation-free (C2-compiled)"
                    : "still allocating " + lastCheckBytes + " B per " + CHECK_EVERY + " rounds when it stopped");
        }
    }

    /** Until the cipher runs allocation-free, at most {@code maxRounds} seal+open rounds or {@code budget}. */
    public static Result run(int maxRounds, Duration budget) {
        long end = System.nanoTime() + budget.toNanos();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        ThreadLocalRandom.current().nextBytes(k1);
        ThreadLocalRandom.current().nextBytes(k2);
        int done = 0;
        int clean = 0;
        long lastBytes = -1;
        long now = System.nanoTime();
        try (Arena arena = Arena.ofConfined();
             Keypair a = new Keypair(Aeads.create(k1), Aeads.create(k2), 1, 2, true, now);
             Keypair b = new Keypair(Aeads.create(k2), Aeads.create(k1), 2, 1, false, now)) {
            MemorySegment seg = arena.allocate(16384, 64);
            TransportSealer sealer = new TransportSealer();
            TransportOpener opener = new TransportOpener();
            long before = mx.getCurrentThreadAllocatedBytes();
            while (done < maxRounds && clean < CLEAN_CHECKS && ((done & 63) != 0 || System.nanoTime() < end)) {
                int len = SIZES[done % SIZES.length];
                long ip = TransportData.PAYLOAD_OFFSET; // a minimal IPv4 header: the opener checks the inner length
                seg.set(ValueLayout.JAVA_BYTE, ip, (byte) 0x45);
                seg.set(BE16, ip + 2, (short) len);
                int sealed = sealer.seal(a, seg, 0, len, 9000, now);
                if (sealed <= 0 || opener.open(b, seg, 0, sealed, now) != len) {
                    throw new IllegalStateException("warm-up packet " + done + " did not round-trip (" + sealed + ")");
                }
                done++;
                if (done % CHECK_EVERY == 0) {
                    long after = mx.getCurrentThreadAllocatedBytes();
                    lastBytes = after - before;
                    clean = lastBytes == 0 ? clean + 1 : 0;
                    before = after;
                }
            }
        }
        return new Result(done, clean >= CLEAN_CHECKS, lastBytes);
    }
}
