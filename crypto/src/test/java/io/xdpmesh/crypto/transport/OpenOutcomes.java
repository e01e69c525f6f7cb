package io.xdpmesh.crypto.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every opener fuzz target asserts about one open call's result and the opener's counters. */
final class OpenOutcomes {
    private OpenOutcomes() {}

    /**
     * {@code r} is an inner length inside a {@code msgLen}-byte message or a known reject code, and
     * the opener has counted exactly one outcome for each of its {@code calls} calls.
     */
    static void assertCounted(TransportOpener opener, int r, int msgLen, long calls) {
        if (r >= 0) {
            assertTrue(r <= msgLen - TransportData.OVERHEAD, "inner length inside the message");
        } else {
            assertTrue(-r >= 1 && -r < OpenStatus.COUNT, "known reject code " + r);
        }
        long outcomes = opener.keepalives();
        for (int i = 0; i < opener.counters().size(); i++) {
            outcomes += opener.counters().get(i);
        }
        assertEquals(calls, outcomes, "every call counted exactly once");
    }
}
