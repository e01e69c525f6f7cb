package io.xdpmesh.dataplane.counters;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * The dataplane's non-drop counters in the counters file: per interface rx/tx frames and bytes,
 * and sealed, opened, held, released, auth requests, keepalives, ICMP too-big sent. One writer
 * (the dataplane thread): release stores, no locked instruction.
 */
public final class StatCounters {
    public final AtomicCounter sealed;
    public final AtomicCounter opened;
    public final AtomicCounter held;
    public final AtomicCounter released;
    public final AtomicCounter authRequests;
    public final AtomicCounter keepalives;
    public final AtomicCounter icmpTooBig;
    public final AtomicCounter forwardedLocal;
    public final AtomicCounter forwardedPlain;
    public final AtomicCounter fragmented;
    /** TCP superframes from pods cut into segments, and the segments they became. */
    public final AtomicCounter superframes;
    public final AtomicCounter segments;
    /** Frames to pods made of two or more tunnel segments, and the segments merged into them. */
    public final AtomicCounter coalescedFrames;
    public final AtomicCounter coalescedSegments;
    private final AtomicCounter[] rxFrames;
    private final AtomicCounter[] rxBytes;
    private final AtomicCounter[] txFrames;
    private final AtomicCounter[] txBytes;

    public StatCounters(CountersManager m, String[] interfaces) {
        sealed = m.newCounter("stat.sealed", CounterTypes.STAT);
        opened = m.newCounter("stat.opened", CounterTypes.STAT);
        held = m.newCounter("stat.held", CounterTypes.STAT);
        released = m.newCounter("stat.released", CounterTypes.STAT);
        authRequests = m.newCounter("stat.auth_requests", CounterTypes.STAT);
        keepalives = m.newCounter("stat.keepalives_received", CounterTypes.STAT);
        icmpTooBig = m.newCounter("stat.icmp_too_big_sent", CounterTypes.STAT);
        forwardedLocal = m.newCounter("stat.forwarded_local", CounterTypes.STAT);
        forwardedPlain = m.newCounter("stat.forwarded_plain", CounterTypes.STAT);
        fragmented = m.newCounter("stat.fragmented", CounterTypes.STAT);
        superframes = m.newCounter("stat.superframes_segmented", CounterTypes.STAT);
        segments = m.newCounter("stat.segments_sent", CounterTypes.STAT);
        coalescedFrames = m.newCounter("stat.coalesced_frames", CounterTypes.STAT);
        coalescedSegments = m.newCounter("stat.coalesced_segments", CounterTypes.STAT);
        int n = interfaces.length;
        rxFrames = new AtomicCounter[n];
        rxBytes = new AtomicCounter[n];
        txFrames = new AtomicCounter[n];
        txBytes = new AtomicCounter[n];
        for (int i = 0; i < n; i++) {
            rxFrames[i] = m.newCounter("if." + interfaces[i] + ".rx_frames", CounterTypes.STAT);
            rxBytes[i] = m.newCounter("if." + interfaces[i] + ".rx_bytes", CounterTypes.STAT);
            txFrames[i] = m.newCounter("if." + interfaces[i] + ".tx_frames", CounterTypes.STAT);
            txBytes[i] = m.newCounter("if." + interfaces[i] + ".tx_bytes", CounterTypes.STAT);
        }
    }

    public void rx(int port, long frames, long bytes) {
        add(rxFrames[port], frames);
        add(rxBytes[port], bytes);
    }

    public void tx(int port, long frames, long bytes) {
        add(txFrames[port], frames);
        add(txBytes[port], bytes);
    }

    public long rxFrames(int port) {
        return rxFrames[port].get();
    }

    public long txFrames(int port) {
        return txFrames[port].get();
    }

    public static void add(AtomicCounter c, long n) {
        c.setRelease(c.getPlain() + n);
    }
}
