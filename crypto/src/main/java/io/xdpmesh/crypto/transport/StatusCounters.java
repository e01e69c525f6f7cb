package io.xdpmesh.crypto.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Per-reason counters written by one thread (plain read, opaque write: no lock, no fence) and
 * readable from any thread, e.g. to copy into the shared-memory counters file.
 */
public final class StatusCounters {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private final long[] counts;
    private final String[] names;

    StatusCounters(String[] names) {
        this.names = names.clone();
        this.counts = new long[names.length];
    }

    void increment(int code) {
        SLOT.setOpaque(counts, code, (long) SLOT.get(counts, code) + 1);
    }

    /** The count for {@code code} (index 0 counts successes). */
    public long get(int code) {
        return (long) SLOT.getOpaque(counts, code);
    }

    public int size() {
        return counts.length;
    }

    public String name(int code) {
        return names[code];
    }

    /** Sum over every reject code (all but 0). */
    public long rejects() {
        long sum = 0;
        for (int i = 1; i < counts.length; i++) {
            sum += get(i);
        }
        return sum;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < counts.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(names[i]).append('=').append(get(i));
        }
        return sb.append('}').toString();
    }
}
