package io.xdpmesh.dataplane.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AeadWarmupTest {
    @Test
    void everyWarmupPacketRoundTripsAndTheCountBoundHolds() {
        // run() throws if a sealed packet does not open to the same length; the count is the bound
        assertEquals(500, AeadWarmup.run(500, Duration.ofMinutes(1)));
        assertEquals(0, AeadWarmup.run(0, Duration.ofMinutes(1)));
    }
}
