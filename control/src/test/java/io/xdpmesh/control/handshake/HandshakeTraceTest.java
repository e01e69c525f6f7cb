package io.xdpmesh.control.handshake;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HandshakeTraceTest {
    @Test
    void aLineNamesEveryStageAndMarksTheOnesNotReached() {
        HandshakeTrace t = HandshakeTrace.initiator(1_000_000L, 1_040_000L);
        assertTrue(t.initiator());
        assertFalse(t.applied());
        String line = t.line();
        assertTrue(line.startsWith("held=1000000 picked=+40 started=-1"), line);
        assertTrue(line.contains(" applied=-1"), line);
        assertFalse(line.contains("total="), "no total before the dataplane applied it: " + line);
    }

    @Test
    void responderStagesHaveTheirOwnNames() {
        HandshakeTrace t = HandshakeTrace.responder();
        t.mark(HandshakeTrace.RStage.FIRST_BYTE);
        t.mark(HandshakeTrace.RStage.TLS_DONE);
        t.queued();
        String line = t.line();
        assertTrue(line.startsWith("first_byte="), line);
        assertTrue(line.contains(" tls_done=+") && line.contains(" hello=-1") && line.contains(" queued=+"), line);
    }
}
