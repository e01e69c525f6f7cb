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
    /** Sent authenticated but not encrypted (the auth verdict); not counted in sealed. */
    public final AtomicCounter authenticated;
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
    /** Pod interfaces the dataplane thread adopted / let go of at runtime (after start). */
    public final AtomicCounter portsAdded;
    public final AtomicCounter portsRemoved;
    /** Interfaces of local workloads the dataplane could not serve (written by the set-up thread). */
    public final AtomicCounter portsAddFailed;
    /** UMEM frames a removed port still held in the kernel when the dataplane gave up waiting. */
    public final AtomicCounter portFramesLost;
    private final CountersManager manager;
    private final AtomicCounter[] rxFrames;
    private final AtomicCounter[] rxBytes;
    private final AtomicCounter[] txFrames;
    private final AtomicCounter[] txBytes;

    /** Counters for up to {@code slots} interfaces, the first {@code interfaces.length} named now. */
    public StatCounters(CountersManager m, String[] interfaces, int slots) {
        this.manager = m;
        sealed = m.newCounter("stat.sealed", CounterTypes.STAT);
        authenticated = m.newCounter("stat.authenticated", CounterTypes.STAT);
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
        portsAdded = m.newCounter("stat.ports_added", CounterTypes.STAT);
        portsRemoved = m.newCounter("stat.ports_removed", CounterTypes.STAT);
        portsAddFailed = m.newCounter("stat.ports_add_failed", CounterTypes.STAT);
        portFramesLost = m.newCounter("stat.port_frames_lost", CounterTypes.STAT);
        rxFrames = new AtomicCounter[slots];
        rxBytes = new AtomicCounter[slots];
        txFrames = new AtomicCounter[slots];
        txBytes = new AtomicCounter[slots];
        for (int i = 0; i < interfaces.length; i++) {
            name(i, interfaces[i]);
        }
    }

    /**
     * Gives slot its per-interface counters (set-up thread, before the dataplane thread is handed a
     * port in that slot: the hand-over publishes them).
     */
    public synchronized void name(int slot, String ifname) {
        rxFrames[slot] = manager.newCounter("if." + ifname + ".rx_frames", CounterTypes.STAT);
        rxBytes[slot] = manager.newCounter("if." + ifname + ".rx_bytes", CounterTypes.STAT);
        txFrames[slot] = manager.newCounter("if." + ifname + ".tx_frames", CounterTypes.STAT);
        txBytes[slot] = manager.newCounter("if." + ifname + ".tx_bytes", CounterTypes.STAT);
    }

    /** Frees a slot's counters once the dataplane thread has let go of its port. */
    public synchronized void unname(int slot) {
        for (AtomicCounter[] a : new AtomicCounter[][] {rxFrames, rxBytes, txFrames, txBytes}) {
            if (a[slot] != null) {
                a[slot].close();
                a[slot] = null;
            }
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
