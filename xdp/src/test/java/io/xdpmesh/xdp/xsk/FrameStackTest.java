package io.xdpmesh.xdp.xsk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class FrameStackTest {
    @Test
    void handsOutEveryFrameOnceThenNone() {
        FrameStack s = new FrameStack(16, 2048);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 16; i++) {
            long a = s.alloc();
            assertEquals(0, a % 2048);
            assertEquals(true, seen.add(a));
        }
        assertEquals(-1, s.alloc());
        assertEquals(0, s.available());
    }

    @Test
    void freeAcceptsAnyAddressInsideTheFrameAndIsLifo() {
        FrameStack s = new FrameStack(4, 4096);
        long a = s.alloc();
        long b = s.alloc();
        s.free(b + 256 + 14);
        s.free(a + 4095);
        assertEquals(a, s.alloc());
        assertEquals(b, s.alloc());
    }

    @Test
    void moreFreesThanFramesIsAnError() {
        FrameStack s = new FrameStack(2, 2048);
        assertThrows(IllegalStateException.class, () -> s.free(0));
    }

    @Test
    void badShapesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new UmemConfig(3000, 10, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new UmemConfig(2048, 0, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new UmemConfig(2048, 10, 2000, false));
        assertEquals(3840, new UmemConfig(4096, 1, 0, false).rxDataCapacity());
    }
}
