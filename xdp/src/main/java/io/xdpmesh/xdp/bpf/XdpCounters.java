package io.xdpmesh.xdp.bpf;

import java.util.StringJoiner;

/** A snapshot of the XDP counters, each summed over all possible CPUs. */
public final class XdpCounters {
    private final long[] values;

    XdpCounters(long[] values) {
        this.values = values;
    }

    public long get(XdpCounter c) {
        return values[c.ordinal()];
    }

    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(", ", "{", "}");
        for (XdpCounter c : XdpCounter.ALL) {
            j.add(c.name().toLowerCase(java.util.Locale.ROOT) + "=" + values[c.ordinal()]);
        }
        return j.toString();
    }
}
