package io.xdpmesh.dataplane.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AeadWarmupTest {
    @Test
    void everyWarmupPacketRoundTripsAndTheCountBoundHolds() {
        // run() throws if a sealed packet does not open to the same length; the count is the bound
        AeadWarmup.Result r = AeadWarmup.run(500, Duration.ofMinutes(1));
        assertEquals(500, r.rounds());
        assertFalse(r.allocationFree(), "500 rounds are too few to judge (or to compile): " + r);
        assertEquals(0, AeadWarmup.run(0, Duration.ofMinutes(1)).rounds());
    }

    @Test
    void itRunsUntilTheCipherIsCompiledAndAllocatesNothingThenStops() {
        // The zero-allocation claim of the hot path's cipher, in a fresh JVM's terms: this ends once
        // CLEAN_CHECKS stretches of CHECK_EVERY rounds allocated 0 bytes, long before the bounds.
        AeadWarmup.Result r = AeadWarmup.run(5_000_000, Duration.ofSeconds(90));
        assertTrue(r.allocationFree(), r.toString());
        assertTrue(r.rounds() < 5_000_000, r.toString());
        System.out.println("[aead-warmup] " + r);
    }
}
