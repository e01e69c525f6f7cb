package io.xdpmesh.dataplane.counters;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/** One counter per {@link DropReason}; the dataplane thread is the only writer. */
public final class DropCounters {
    private final AtomicCounter[] counters = new AtomicCounter[DropReason.values().length];

    public DropCounters(CountersManager manager) {
        for (DropReason r : DropReason.values()) {
            counters[r.ordinal()] = manager.newCounter(r.counterLabel(), CounterTypes.DROP);
        }
    }

    /** Single writer: a release store, no locked instruction. */
    public void drop(DropReason reason) {
        counters[reason.ordinal()].incrementRelease();
    }

    public void drop(DropReason reason, long n) {
        AtomicCounter c = counters[reason.ordinal()];
        c.setRelease(c.getPlain() + n);
    }

    public long get(DropReason reason) {
        return counters[reason.ordinal()].get();
    }
}
