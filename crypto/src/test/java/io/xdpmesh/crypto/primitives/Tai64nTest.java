package io.xdpmesh.crypto.primitives;

import static io.xdpmesh.crypto.primitives.Hex.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class Tai64nTest {
    @Test
    void labelAndWhitening() {
        // 2^62 + 10 + 1 s; 0x12345678 ns rounded down to a multiple of 2^24 = 0x12000000.
        assertEquals("400000000000000b12000000", s(Tai64n.of(Instant.ofEpochSecond(1, 0x12345678))));
    }

    @Test
    void ordering() {
        byte[] a = Tai64n.of(Instant.ofEpochSecond(1000, 0));
        byte[] b = Tai64n.of(Instant.ofEpochSecond(1000, 100_000_000));
        byte[] c = Tai64n.of(Instant.ofEpochSecond(1001, 0));
        assertTrue(Tai64n.after(b, a));
        assertTrue(Tai64n.after(c, b));
        assertFalse(Tai64n.after(a, a));
        assertFalse(Tai64n.after(a, c));
        // within one whitening step the timestamps are equal, so not "after"
        assertFalse(Tai64n.after(Tai64n.of(Instant.ofEpochSecond(1000, 1000)), a));
    }
}
