package io.xdpmesh.dataplane.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FlowCacheTest {
    @Test
    void hitAfterPutMissAfterInvalidate() {
        FlowCache c = new FlowCache(1024);
        assertEquals(FlowCache.MISS, c.find(0, 1, 0, 2));
        int s = c.put(0, 1, 0, 2, 10, 20, 3, 99);
        assertEquals(s, c.find(0, 1, 0, 2));
        assertEquals(10, c.srcEndpoint(s));
        assertEquals(20, c.dstEndpoint(s));
        assertEquals(3, c.verdict(s));
        assertEquals(99, c.session(s));
        assertEquals(FlowCache.MISS, c.find(0, 2, 0, 1), "direction matters");
        assertEquals(FlowCache.MISS, c.find(1, 1, 0, 2), "all 128 bits compared");
        c.invalidateAll();
        assertEquals(FlowCache.MISS, c.find(0, 1, 0, 2));
    }

    @Test
    void collidingPairsNeverAnswerForEachOther() {
        FlowCache c = new FlowCache(4);
        for (long i = 0; i < 1000; i++) {
            c.put(0, i, 0, i + 1, (int) i, 0, 0, 0);
            int s = c.find(0, i, 0, i + 1);
            assertNotEquals(FlowCache.MISS, s);
            assertEquals(i, c.srcEndpoint(s));
            for (long j = Math.max(0, i - 8); j < i; j++) {
                int t = c.find(0, j, 0, j + 1);
                if (t != FlowCache.MISS) {
                    assertEquals(j, c.srcEndpoint(t));
                }
            }
        }
    }

    @Test
    void sizeMustBeAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new FlowCache(1000));
    }
}
