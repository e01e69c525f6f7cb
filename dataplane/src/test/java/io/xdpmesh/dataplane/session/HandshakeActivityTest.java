package io.xdpmesh.dataplane.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HandshakeActivityTest {
    @Test
    void eachTokenEndsItsHandshakeOnce() {
        HandshakeActivity a = new HandshakeActivity();
        HandshakeActivity.Token one = a.begin();
        HandshakeActivity.Token two = a.begin();
        assertEquals(2, a.active());
        one.end();
        one.end(); // the close listener after the ACCEPT path, say
        assertEquals(1, a.active());
        two.end();
        assertEquals(0, a.active());
    }
}
