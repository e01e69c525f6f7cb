package io.xdpmesh.dataplane.flow;

/**
 * A small direct-mapped cache in front of the endpoint table, the policy matrix and the auth cache
 * (a random Chronicle get costs ~320 ns; a hit here is four compares). Key: (source address,
 * destination address); value: both endpoints, the verdict and the session slot.
 *
 * <p>Entries carry the generation they were computed under. Anything that can change an answer
 * (cluster, policy, a session installed or removed) bumps the generation, which invalidates every
 * entry at once without touching them. Owned by one dataplane thread; primitive arrays only.
 */
public final class FlowCache {
    public static final int MISS = -1;

    private final int mask;
    private final long[] srcHi;
    private final long[] srcLo;
    private final long[] dstHi;
    private final long[] dstLo;
    private final int[] generationOf;
    private final int[] srcEndpoint;
    private final int[] dstEndpoint;
    private final int[] verdict;
    private final int[] session;
    private int generation = 1; // 0 marks never-filled slots

    public FlowCache(int slots) {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("flow cache size must be a power of two, got " + slots);
        }
        mask = slots - 1;
        srcHi = new long[slots];
        srcLo = new long[slots];
        dstHi = new long[slots];
        dstLo = new long[slots];
        generationOf = new int[slots];
        srcEndpoint = new int[slots];
        dstEndpoint = new int[slots];
        verdict = new int[slots];
        session = new int[slots];
    }

    static int slotHash(long sHi, long sLo, long dHi, long dLo) {
        long h = (sLo * 0x9E3779B97F4A7C15L) ^ (dLo * 0xC2B2AE3D27D4EB4FL) ^ sHi ^ (dHi >>> 7);
        h ^= h >>> 29;
        return (int) h;
    }

    /** Returns the slot holding a current entry for the pair of addresses, or {@link #MISS}. */
    public int find(long sHi, long sLo, long dHi, long dLo) {
        int s = slotHash(sHi, sLo, dHi, dLo) & mask;
        if (generationOf[s] == generation && srcLo[s] == sLo && dstLo[s] == dLo && srcHi[s] == sHi && dstHi[s] == dHi) {
            return s;
        }
        return MISS;
    }

    /** Stores an answer (replacing whatever shared the slot); returns the slot. */
    public int put(long sHi, long sLo, long dHi, long dLo, int srcEp, int dstEp, int verdictOrdinal, int sessionSlot) {
        int s = slotHash(sHi, sLo, dHi, dLo) & mask;
        srcHi[s] = sHi;
        srcLo[s] = sLo;
        dstHi[s] = dHi;
        dstLo[s] = dLo;
        srcEndpoint[s] = srcEp;
        dstEndpoint[s] = dstEp;
        verdict[s] = verdictOrdinal;
        session[s] = sessionSlot;
        generationOf[s] = generation;
        return s;
    }

    /** Invalidates every entry in O(1). */
    public void invalidateAll() {
        generation++;
        if (generation == 0) { // wrapped after 2^32 changes: clear for real so no stale entry revives
            java.util.Arrays.fill(generationOf, 0);
            generation = 1;
        }
    }

    public int srcEndpoint(int slot) {
        return srcEndpoint[slot];
    }

    public int dstEndpoint(int slot) {
        return dstEndpoint[slot];
    }

    public int verdict(int slot) {
        return verdict[slot];
    }

    public int session(int slot) {
        return session[slot];
    }

    public int slots() {
        return mask + 1;
    }
}
