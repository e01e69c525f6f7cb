package io.xdpmesh.dataplane.session;

import io.xdpmesh.crypto.transport.Keypair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sessions of one dataplane thread, by pair key (egress) and by receiver index (ingress), in
 * open-addressing tables over primitive arrays: lookups allocate nothing. Only the dataplane
 * thread reads and writes it (the control plane's changes arrive as {@link DataplaneCommands}).
 */
public final class SessionTable {
    public static final int NONE = -1;
    private static final long EMPTY_PAIR = Long.MIN_VALUE;

    private final Session[] sessions;
    private final int[] freeSlots;
    private int freeTop;
    private final long[] pairKeys;
    private final int[] pairSlot;
    private final int pairMask;
    private final int[] indexKeys;
    private final int[] indexSlot;
    private final int indexMask;
    private int live;

    public SessionTable(int maxSessions) {
        sessions = new Session[maxSessions];
        freeSlots = new int[maxSessions];
        for (int i = maxSessions - 1; i >= 0; i--) {
            freeSlots[freeTop++] = i;
        }
        int pc = Integer.highestOneBit(Math.max(4, maxSessions * 2 - 1)) << 1;
        pairKeys = new long[pc];
        Arrays.fill(pairKeys, EMPTY_PAIR);
        pairSlot = new int[pc];
        pairMask = pc - 1;
        int ic = Integer.highestOneBit(Math.max(4, maxSessions * 6 - 1)) << 1; // three keypairs each
        indexKeys = new int[ic];
        indexSlot = new int[ic];
        Arrays.fill(indexSlot, NONE);
        indexMask = ic - 1;
    }

    public Session get(int slot) {
        return sessions[slot];
    }

    public int size() {
        return live;
    }

    private static int mix(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    /** Slot of the pair's session, or {@link #NONE}. */
    public int findPair(long pairKey) {
        int s = mix(pairKey) & pairMask;
        while (pairKeys[s] != EMPTY_PAIR) {
            if (pairKeys[s] == pairKey) {
                return pairSlot[s];
            }
            s = (s + 1) & pairMask;
        }
        return NONE;
    }

    /** Slot of the session that owns receiver index, or {@link #NONE}. */
    public int findIndex(int index) {
        int s = mix(index) & indexMask;
        while (indexSlot[s] != NONE) {
            if (indexKeys[s] == index) {
                return indexSlot[s];
            }
            s = (s + 1) & indexMask;
        }
        return NONE;
    }

    /** The session for the names, created if absent (command path). Null when the table is full. */
    public Session getOrCreate(String localId, String remoteId, String remoteNode, long pairKey) {
        for (Session s : sessions) {
            if (s != null && s.localId.equals(localId) && s.remoteId.equals(remoteId)
                    && s.remoteNodeName.equals(remoteNode)) {
                return s;
            }
        }
        if (freeTop == 0) {
            return null;
        }
        Session s = new Session(localId, remoteId, remoteNode);
        s.slot = freeSlots[--freeTop];
        s.pairKey = pairKey;
        sessions[s.slot] = s;
        live++;
        putPair(pairKey, s.slot);
        return s;
    }

    public Session find(String localId, String remoteId, String remoteNode) {
        for (Session s : sessions) {
            if (s != null && s.localId.equals(localId) && s.remoteId.equals(remoteId)
                    && s.remoteNodeName.equals(remoteNode)) {
                return s;
            }
        }
        return null;
    }

    /** Installs kp into the session; returns the keypairs that fell out (closed by the caller). */
    public List<Keypair> install(Session s, Keypair kp) {
        List<Keypair> evicted = s.keys.install(kp);
        for (Keypair e : evicted) {
            removeIndex(e.localIndex());
        }
        putIndex(kp.localIndex(), s.slot);
        return evicted;
    }

    /** Removes the session; returns its keypairs (closed by the caller). */
    public List<Keypair> remove(Session s) {
        List<Keypair> gone = new ArrayList<>(s.keys.clear());
        for (Keypair k : gone) {
            removeIndex(k.localIndex());
        }
        removePair(s.pairKey);
        sessions[s.slot] = null;
        freeSlots[freeTop++] = s.slot;
        live--;
        return gone;
    }

    /** Re-keys the pair map after a cluster change renumbered identities (command path). */
    public void rekeyPair(Session s, long newKey) {
        removePair(s.pairKey);
        s.pairKey = newKey;
        putPair(newKey, s.slot);
    }

    public List<Session> all() {
        List<Session> l = new ArrayList<>();
        for (Session s : sessions) {
            if (s != null) {
                l.add(s);
            }
        }
        return l;
    }

    private void putPair(long key, int slot) {
        int s = mix(key) & pairMask;
        while (pairKeys[s] != EMPTY_PAIR && pairKeys[s] != key) {
            s = (s + 1) & pairMask;
        }
        pairKeys[s] = key;
        pairSlot[s] = slot;
    }

    private void removePair(long key) {
        int s = mix(key) & pairMask;
        while (pairKeys[s] != EMPTY_PAIR) {
            if (pairKeys[s] == key) {
                pairKeys[s] = EMPTY_PAIR;
                // re-place the rest of the cluster so probes never stop early
                int i = (s + 1) & pairMask;
                while (pairKeys[i] != EMPTY_PAIR) {
                    long k = pairKeys[i];
                    int v = pairSlot[i];
                    pairKeys[i] = EMPTY_PAIR;
                    putPair(k, v);
                    i = (i + 1) & pairMask;
                }
                return;
            }
            s = (s + 1) & pairMask;
        }
    }

    private void putIndex(int index, int slot) {
        int s = mix(index) & indexMask;
        while (indexSlot[s] != NONE && indexKeys[s] != index) {
            s = (s + 1) & indexMask;
        }
        indexKeys[s] = index;
        indexSlot[s] = slot;
    }

    private void removeIndex(int index) {
        int s = mix(index) & indexMask;
        while (indexSlot[s] != NONE) {
            if (indexKeys[s] == index) {
                indexSlot[s] = NONE;
                int i = (s + 1) & indexMask;
                while (indexSlot[i] != NONE) {
                    int k = indexKeys[i];
                    int v = indexSlot[i];
                    indexSlot[i] = NONE;
                    putIndex(k, v);
                    i = (i + 1) & indexMask;
                }
                return;
            }
            s = (s + 1) & indexMask;
        }
    }
}
