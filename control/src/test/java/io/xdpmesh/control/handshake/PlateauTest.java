package io.xdpmesh.control.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PlateauTest {
    private static int blocksUntilFlat(Plateau p, long[] blockMedians) {
        for (int b = 0; b < blockMedians.length; b++) {
            for (int i = 0; i < Plateau.BLOCK; i++) {
                // one wild outlier per block must not move the median
                if (p.add(i == 0 ? blockMedians[b] * 50 : blockMedians[b])) {
                    return b + 1;
                }
            }
        }
        return -1;
    }

    @Test
    void fallingTimesAreNotFlat() {
        Plateau p = new Plateau();
        long[] medians = new long[20];
        for (int b = 0; b < medians.length; b++) {
            medians[b] = 10_000_000L - b * 400_000L; // 4% of the start, more than 3% of each step
        }
        assertEquals(-1, blocksUntilFlat(p, medians));
        assertFalse(p.flat());
        assertEquals(medians[19], p.bestMedian());
    }

    @Test
    void flatAfterPatienceBlocksWithoutGain() {
        Plateau p = new Plateau();
        assertEquals(2 + Plateau.PATIENCE, blocksUntilFlat(p, new long[] {9_000_000, 5_000_000, 4_950_000, 5_100_000, 4_990_000, 1}));
        assertTrue(p.flat());
        assertEquals(4_950_000, p.bestMedian());
    }

    @Test
    void aGainResetsPatience() {
        Plateau p = new Plateau();
        // two stale blocks, then a 10% gain in block 4, then it takes PATIENCE stale blocks again
        assertEquals(4 + Plateau.PATIENCE, blocksUntilFlat(p, new long[] {5_000_000, 5_000_000, 5_000_000, 4_500_000,
                4_500_000, 4_500_000, 4_500_000}));
    }

    @Test
    void aBusyJitKeepsFlatMediansFromEndingTheWarmUp() {
        long[] clock = {0};
        long[] jit = {0};
        Plateau p = new Plateau(() -> jit[0], () -> clock[0]);
        for (int b = 0; b < 10; b++) {
            for (int i = 0; i < Plateau.BLOCK; i++) {
                clock[0] += 1_000_000; // 1 ms per handshake: 64 ms per block
                jit[0] += b < 6 ? 1 : 0; // 64 ms of compiling per block (100 %) for six blocks, then none
                p.add(5_000_000);
            }
            assertEquals(b >= 6, p.flat(), "block " + b);
        }
        assertEquals(0.0, p.lastJitShare());
    }

    @Test
    void aLittleJitActivityStillCountsAsQuiet() {
        long[] clock = {0};
        long[] jit = {0};
        Plateau p = new Plateau(() -> jit[0], () -> clock[0]);
        for (int b = 0; b < 1 + Plateau.PATIENCE; b++) {
            clock[0] += 100_000_000;
            jit[0] += 4; // 4 % of each block
            for (int i = 0; i < Plateau.BLOCK; i++) {
                p.add(5_000_000);
            }
        }
        assertTrue(p.flat());
        assertEquals(0.04, p.lastJitShare(), 1e-9);
    }
}
