package io.xdpmesh.crypto.noise;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/** Per-reason reject counters and accepted-message counters, readable from any thread. */
public final class HandshakeCounters {
    private final AtomicLongArray rejects = new AtomicLongArray(RejectReason.values().length);
    private final AtomicLongArray accepted = new AtomicLongArray(4);

    void reject(RejectReason reason) {
        rejects.incrementAndGet(reason.ordinal());
    }

    void accept(int messageType) {
        accepted.incrementAndGet(messageType);
    }

    public long rejected(RejectReason reason) {
        return rejects.get(reason.ordinal());
    }

    public long totalRejected() {
        long sum = 0;
        for (int i = 0; i < rejects.length(); i++) {
            sum += rejects.get(i);
        }
        return sum;
    }

    /** Messages of {@code type} (1, 2 or 3) that were consumed successfully. */
    public long accepted(int type) {
        return type >= 1 && type <= 3 ? accepted.get(type) : 0;
    }

    public Map<RejectReason, Long> rejectSnapshot() {
        Map<RejectReason, Long> m = new EnumMap<>(RejectReason.class);
        for (RejectReason r : RejectReason.values()) {
            m.put(r, rejected(r));
        }
        return m;
    }

    @Override
    public String toString() {
        return "rejects=" + rejectSnapshot() + " accepted(1,2,3)=" + accepted(1) + "," + accepted(2) + "," + accepted(3);
    }
}
