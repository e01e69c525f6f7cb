package io.xdpmesh.crypto.transport;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The receive-path bookkeeping around the cipher (index lookup, replay window, confirmation,
 * keypair predicates, timers) allocates nothing. (The cipher itself is the aead branch's; the JDK
 * one used in tests allocates by design.)
 */
class HotPathAllocationTest {
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void bookkeepingAllocatesNothing() {
        ReceiverIndexTable table = new ReceiverIndexTable(64, new Random(1));
        PeerKeypairs peer = new PeerKeypairs();
        Keypair[] kps = TestKeys.mirrored(1, table.allocateIndex(), 77, 0);
        table.put(kps[1]);
        peer.install(kps[1]);
        SessionTimers timers = new SessionTimers();
        int index = kps[1].localIndex();
        long sink = 0;
        // Warm up so the measured loop runs compiled code with escape analysis, as in production.
        for (int round = 0; round < 3; round++) {
            kps[1].replayWindow().reset();
            long before = allocated();
            for (long c = 0; c < 200_000; c++) {
                Keypair kp = table.get(index);
                if (kp.canReceive(c) && kp.replayWindow().validate(c)) {
                    peer.confirm(kp);
                    timers.onDataReceived(c);
                    timers.onAuthenticatedPacketReceived(c);
                    sink += timers.poll(c) + (kp.needsRekeyOnReceive(c) ? 1 : 0);
                }
                sink += kps[0].nextSendCounter();
            }
            long used = allocated() - before;
            if (round == 2) {
                // One allocation per operation would be >= 16 B x 200k = 3.2 MB; the measurement
                // itself and JIT transitions cost a few hundred bytes in total.
                assertTrue(used < 4096, used + " bytes allocated by 200k lookups+validations");
            }
        }
        assertSame(kps[1], peer.current());
        assertTrue(sink != 0);
    }
}
