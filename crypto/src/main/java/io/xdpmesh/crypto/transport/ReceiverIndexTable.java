package io.xdpmesh.crypto.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Receiver index to keypair, for the receive path: the dataplane looks up the index of every
 * incoming message here without a lock and without allocating; the control plane allocates
 * random unique indexes, adds and removes entries.
 *
 * <p>Open addressing with linear probing over parallel arrays. A writer fills the value before the
 * key (release), a reader loads the key then the value (acquire) and accepts the value only if
 * its {@link Keypair#localIndex()} is the index asked for, so a slot reused concurrently can never
 * hand out the wrong keypair. Removed slots become tombstones; when live entries plus tombstones
 * pass 3/4 of the capacity the writer rebuilds the arrays and publishes them with one volatile
 * write. Writers serialize on the table's monitor (control plane only).
 *
 * <p>Indexes are random non-zero 32-bit values, never {@link #TOMBSTONE}; the peer echoes them in
 * every message, so they carry no meaning and are not guessable.
 */
public final class ReceiverIndexTable {
    private static final int EMPTY = 0;
    /** Marks a removed slot; never allocated as an index. */
    static final int TOMBSTONE = -1;
    private static final VarHandle KEYS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle VALUES = MethodHandles.arrayElementVarHandle(Keypair[].class);

    private static final class Table {
        final int[] keys;
        final Keypair[] values;
        final int mask;

        Table(int capacity) {
            keys = new int[capacity];
            values = new Keypair[capacity];
            mask = capacity - 1;
        }
    }

    private final RandomGenerator random;
    private final int maxEntries;
    private volatile Table table;
    private int live;
    private int used; // live + tombstones

    /** A table for up to {@code maxEntries} concurrent keypairs, with a SecureRandom. */
    public ReceiverIndexTable(int maxEntries) {
        this(maxEntries, new SecureRandom());
    }

    public ReceiverIndexTable(int maxEntries, RandomGenerator random) {
        if (maxEntries < 1 || maxEntries > (1 << 28)) {
            throw new IllegalArgumentException("maxEntries out of range: " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.random = Objects.requireNonNull(random, "random");
        this.table = new Table(capacityFor(maxEntries));
    }

    private static int capacityFor(int entries) {
        // At most half full with live entries; rebuilt when live + tombstones reach 3/4.
        return Integer.highestOneBit(Math.max(8, entries * 2 - 1)) << 1;
    }

    private static int slot(int index, int mask) {
        int h = index * 0x9E3779B9; // indexes are random already; this only spreads test values
        return (h ^ (h >>> 16)) & mask;
    }

    /** The keypair whose local index is {@code index}, or null. Any thread; lock- and allocation-free. */
    public Keypair get(int index) {
        if (index == EMPTY || index == TOMBSTONE) {
            return null;
        }
        Table t = table;
        int[] keys = t.keys;
        int mask = t.mask;
        for (int i = slot(index, mask), probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
            int k = (int) KEYS.getAcquire(keys, i);
            if (k == index) {
                Keypair kp = (Keypair) VALUES.getAcquire(t.values, i);
                return kp != null && kp.localIndex() == index ? kp : null;
            }
            if (k == EMPTY) {
                return null;
            }
        }
        return null;
    }

    /** A fresh random index, unused in the table (not yet reserved: pass it to a keypair, then {@link #put}). */
    public synchronized int allocateIndex() {
        if (live >= maxEntries) {
            throw new IllegalStateException("receiver index table full (" + maxEntries + " entries)");
        }
        while (true) {
            int candidate = random.nextInt();
            if (candidate != EMPTY && candidate != TOMBSTONE && get(candidate) == null) {
                return candidate;
            }
        }
    }

    /** Adds {@code kp} under its local index; fails if the index is taken or the table is full. */
    public synchronized void put(Keypair kp) {
        int index = kp.localIndex();
        if (index == EMPTY || index == TOMBSTONE) {
            throw new IllegalArgumentException("reserved index " + index);
        }
        if (get(index) != null) {
            throw new IllegalStateException("index " + Integer.toUnsignedString(index) + " already in use");
        }
        if (live >= maxEntries) {
            throw new IllegalStateException("receiver index table full (" + maxEntries + " entries)");
        }
        Table t = table;
        if ((used + 1) * 4L > (t.mask + 1) * 3L) {
            t = rebuild();
        }
        int mask = t.mask;
        for (int i = slot(index, mask); ; i = (i + 1) & mask) {
            int k = t.keys[i];
            if (k == EMPTY || k == TOMBSTONE) {
                VALUES.setRelease(t.values, i, kp);
                KEYS.setRelease(t.keys, i, index);
                live++;
                if (k == EMPTY) {
                    used++;
                }
                return;
            }
        }
    }

    /** Removes {@code kp} if it is the entry for its index; returns whether it was. */
    public synchronized boolean remove(Keypair kp) {
        int index = kp.localIndex();
        Table t = table;
        int mask = t.mask;
        for (int i = slot(index, mask), probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
            int k = t.keys[i];
            if (k == index) {
                if (t.values[i] != kp) {
                    return false;
                }
                VALUES.setRelease(t.values, i, null);
                KEYS.setRelease(t.keys, i, TOMBSTONE);
                live--;
                return true;
            }
            if (k == EMPTY) {
                return false;
            }
        }
        return false;
    }

    public synchronized int size() {
        return live;
    }

    private Table rebuild() {
        Table old = table;
        Table t = new Table(old.mask + 1);
        int count = 0;
        for (int i = 0; i <= old.mask; i++) {
            int k = old.keys[i];
            if (k != EMPTY && k != TOMBSTONE) {
                for (int j = slot(k, t.mask); ; j = (j + 1) & t.mask) {
                    if (t.keys[j] == EMPTY) {
                        t.keys[j] = k;
                        t.values[j] = old.values[i];
                        count++;
                        break;
                    }
                }
            }
        }
        used = count;
        table = t; // volatile write publishes the filled arrays
        return t;
    }
}
