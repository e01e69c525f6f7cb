package io.xdpmesh.dataplane.pending;

import java.util.Arrays;

/**
 * Holds the first frames of identity pairs that have no session yet, in their UMEM frames (no
 * copy), until the session is installed (released in order) or the handshake fails or times out
 * (dropped). Bounded per pair (WireGuard's 128) and globally; when a bound is hit the oldest held
 * frame goes first, as WireGuard does. Every frame that enters leaves exactly once, through a
 * {@link FrameSink} or {@link #evictedAddr()}, so no UMEM frame leaks.
 *
 * <p>Single-threaded (the dataplane thread owns it); all storage is preallocated primitive arrays.
 */
public final class PendingQueue {
    public static final int DEFAULT_PER_PAIR = 128;

    /** enqueue results */
    public static final int QUEUED = 0;
    /** Queued, and this is the pair's first held frame: ask the control plane for a session. */
    public static final int QUEUED_NEW_PAIR = 1;
    /** Queued after evicting the pair's oldest frame (see {@link #evictedAddr()}). */
    public static final int QUEUED_EVICTED_PAIR_OLDEST = 2;
    /** Queued after evicting the globally oldest frame (see {@link #evictedAddr()}). */
    public static final int QUEUED_EVICTED_GLOBAL_OLDEST = 3;
    /** Not queued: too many pairs are pending at once; the caller drops the frame. */
    public static final int REJECTED_TOO_MANY_PAIRS = 4;

    private static final int NONE = -1;
    private static final long EMPTY = Long.MIN_VALUE;

    private final int perPair;
    // entries
    private final long[] addr;
    private final int[] len;
    private final int[] pairOf;
    private final int[] nextInPair;
    private final int[] prevGlobal;
    private final int[] nextGlobal;
    private int freeHead;
    private int globalHead = NONE; // oldest
    private int globalTail = NONE; // newest
    private int size;
    // pairs (open addressing, tombstone-free: removal re-inserts the cluster)
    private final long[] pairKey;
    private final int[] pairHead;
    private final int[] pairTail;
    private final int[] pairCount;
    private final long[] pairSince;
    private final int pairMask;
    private final int maxPairs;
    private int pairs;

    private long evictedAddr;
    private int evictedLen;
    private long evictedPair;

    public PendingQueue(int globalCapacity, int perPair, int maxPairs) {
        if (globalCapacity < 1 || perPair < 1 || maxPairs < 1) {
            throw new IllegalArgumentException("pending queue bounds must be positive");
        }
        this.perPair = perPair;
        this.addr = new long[globalCapacity];
        this.len = new int[globalCapacity];
        this.pairOf = new int[globalCapacity];
        this.nextInPair = new int[globalCapacity];
        this.prevGlobal = new int[globalCapacity];
        this.nextGlobal = new int[globalCapacity];
        for (int i = 0; i < globalCapacity; i++) {
            nextGlobal[i] = i + 1 < globalCapacity ? i + 1 : NONE; // free list threads nextGlobal
        }
        this.freeHead = 0;
        this.maxPairs = maxPairs;
        int cap = Integer.highestOneBit(Math.max(2, maxPairs * 2 - 1)) << 1;
        this.pairMask = cap - 1;
        this.pairKey = new long[cap];
        Arrays.fill(pairKey, EMPTY);
        this.pairHead = new int[cap];
        this.pairTail = new int[cap];
        this.pairCount = new int[cap];
        this.pairSince = new long[cap];
    }

    /** Holds a frame for {@code key}; see the result constants. {@code now} is any monotonic clock. */
    public int enqueue(long key, long frameAddr, int frameLen, long now) {
        int p = findPair(key);
        boolean newPair = p == NONE;
        if (newPair) {
            if (pairs == maxPairs) {
                return REJECTED_TOO_MANY_PAIRS;
            }
            p = insertPair(key, now);
        }
        int result = newPair ? QUEUED_NEW_PAIR : QUEUED;
        if (pairCount[p] == perPair) {
            evict(pairHead[p]);
            result = QUEUED_EVICTED_PAIR_OLDEST;
        } else if (freeHead == NONE) {
            int victim = globalHead;
            int victimPair = pairOf[victim];
            evict(victim);
            result = QUEUED_EVICTED_GLOBAL_OLDEST;
            if (pairCount[victimPair] == 0 && victimPair != p) {
                removePair(victimPair);
                p = findPair(key); // removal may have moved our slot
            }
        }
        int e = freeHead;
        freeHead = nextGlobal[e];
        addr[e] = frameAddr;
        len[e] = frameLen;
        pairOf[e] = p;
        nextInPair[e] = NONE;
        if (pairTail[p] == NONE) {
            pairHead[p] = e;
        } else {
            nextInPair[pairTail[p]] = e;
        }
        pairTail[p] = e;
        pairCount[p]++;
        prevGlobal[e] = globalTail;
        nextGlobal[e] = NONE;
        if (globalTail == NONE) {
            globalHead = e;
        } else {
            nextGlobal[globalTail] = e;
        }
        globalTail = e;
        size++;
        return result;
    }

    /** Removes the head entry of its pair (it is always the pair's oldest) and records it. */
    private void evict(int e) {
        int p = pairOf[e];
        evictedAddr = addr[e];
        evictedLen = len[e];
        evictedPair = pairKey[p];
        popHead(p);
    }

    private void popHead(int p) {
        int e = pairHead[p];
        pairHead[p] = nextInPair[e];
        if (pairHead[p] == NONE) {
            pairTail[p] = NONE;
        }
        pairCount[p]--;
        unlinkGlobal(e);
        nextGlobal[e] = freeHead;
        freeHead = e;
        size--;
    }

    private void unlinkGlobal(int e) {
        int prev = prevGlobal[e];
        int next = nextGlobal[e];
        if (prev == NONE) {
            globalHead = next;
        } else {
            nextGlobal[prev] = next;
        }
        if (next == NONE) {
            globalTail = prev;
        } else {
            prevGlobal[next] = prev;
        }
    }

    /** Sends every held frame of the pair to {@code sink}, oldest first, and forgets the pair. */
    public int drain(long key, FrameSink sink) {
        int p = findPair(key);
        if (p == NONE) {
            return 0;
        }
        int n = 0;
        while (pairHead[p] != NONE) {
            int e = pairHead[p];
            long a = addr[e];
            int l = len[e];
            popHead(p);
            sink.accept(a, l);
            n++;
        }
        removePair(p);
        return n;
    }

    /** Drains (to {@code sink}, for dropping) every pair held since before {@code deadline}. */
    public int expire(long deadline, FrameSink sink) {
        int n = 0;
        for (int p = 0; p <= pairMask; p++) {
            while (pairKey[p] != EMPTY && pairSince[p] - deadline < 0) {
                n += drain(pairKey[p], sink); // removal may shift another pair into slot p
            }
        }
        return n;
    }

    public boolean isPending(long key) {
        return findPair(key) != NONE;
    }

    public int heldFor(long key) {
        int p = findPair(key);
        return p == NONE ? 0 : pairCount[p];
    }

    public int size() {
        return size;
    }

    public int pendingPairs() {
        return pairs;
    }

    public long evictedAddr() {
        return evictedAddr;
    }

    public int evictedLen() {
        return evictedLen;
    }

    public long evictedPair() {
        return evictedPair;
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ h >>> 32);
    }

    private int findPair(long key) {
        int s = hash(key) & pairMask;
        while (pairKey[s] != EMPTY) {
            if (pairKey[s] == key) {
                return s;
            }
            s = (s + 1) & pairMask;
        }
        return NONE;
    }

    private int insertPair(long key, long now) {
        int s = hash(key) & pairMask;
        while (pairKey[s] != EMPTY) {
            s = (s + 1) & pairMask;
        }
        setPair(s, key, NONE, NONE, 0, now);
        pairs++;
        return s;
    }

    private void setPair(int s, long key, int head, int tail, int count, long since) {
        pairKey[s] = key;
        pairHead[s] = head;
        pairTail[s] = tail;
        pairCount[s] = count;
        pairSince[s] = since;
    }

    /** Linear-probing delete: re-place the rest of the cluster so lookups never stop early. */
    private void removePair(int s) {
        pairKey[s] = EMPTY;
        pairs--;
        int i = (s + 1) & pairMask;
        while (pairKey[i] != EMPTY) {
            long k = pairKey[i];
            int head = pairHead[i];
            int tail = pairTail[i];
            int count = pairCount[i];
            long since = pairSince[i];
            pairKey[i] = EMPTY;
            int t = hash(k) & pairMask;
            while (pairKey[t] != EMPTY) {
                t = (t + 1) & pairMask;
            }
            setPair(t, k, head, tail, count, since);
            if (t != i) {
                for (int e = head; e != NONE; e = nextInPair[e]) {
                    pairOf[e] = t;
                }
            }
            i = (i + 1) & pairMask;
        }
    }
}
