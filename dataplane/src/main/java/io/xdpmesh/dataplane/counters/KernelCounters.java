package io.xdpmesh.dataplane.counters;

import io.xdpmesh.xdp.bpf.XdpAttachment;
import io.xdpmesh.xdp.bpf.XdpCounter;
import io.xdpmesh.xdp.xsk.XskSocket;
import io.xdpmesh.xdp.xsk.XskStatistics;
import java.util.LinkedHashMap;
import java.util.Map;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * What the kernel dropped before a frame reached the dataplane thread, mirrored into the counters
 * file so that no loss is silent: per served interface, the AF_XDP socket's XDP_STATISTICS (a frame
 * the socket could not take: no fill-ring frame, full RX ring, a frame larger than one UMEM frame
 * on a socket without XDP_USE_SG, an invalid TX descriptor) and the XDP program's own drops.
 * Labels {@code kernel.<ifname>.<what>}. Refreshed by the set-up side (a getsockopt and a map
 * lookup per interface, off the hot path), never by the dataplane thread.
 */
public final class KernelCounters {
    private static final String[] NAMES = {"xsk_rx_dropped", "xsk_rx_ring_full", "xsk_rx_fill_ring_empty",
        "xsk_rx_invalid_descs", "xsk_tx_invalid_descs", "xdp_dropped_no_socket", "xdp_dropped_malformed"};

    private final CountersManager manager;
    private final Map<String, AtomicCounter[]> byInterface = new LinkedHashMap<>();
    private final XskStatistics st = new XskStatistics();

    public KernelCounters(CountersManager manager) {
        this.manager = manager;
    }

    /**
     * Reads the sockets' (one per served queue, summed) and the program's counters now and
     * publishes them (creating them once).
     */
    public synchronized void refresh(String ifname, XskSocket[] sockets, XdpAttachment attachment) {
        AtomicCounter[] c = byInterface.computeIfAbsent(ifname, n -> {
            AtomicCounter[] a = new AtomicCounter[NAMES.length];
            for (int i = 0; i < a.length; i++) {
                a[i] = manager.newCounter("kernel." + n + "." + NAMES[i], CounterTypes.STAT);
            }
            return a;
        });
        long[] sum = new long[5];
        boolean read = false;
        for (XskSocket socket : sockets) {
            if (socket.isClosed()) {
                continue;
            }
            try {
                socket.statistics(st);
                sum[0] += st.rxDropped;
                sum[1] += st.rxRingFull;
                sum[2] += st.rxFillRingEmptyDescs;
                sum[3] += st.rxInvalidDescs;
                sum[4] += st.txInvalidDescs;
                read = true;
            } catch (RuntimeException | io.xdpmesh.xdp.sys.ErrnoException e) {
                read = false; // a socket went away under us: keep the last values
                break;
            }
        }
        if (read) {
            for (int i = 0; i < sum.length; i++) {
                c[i].setRelease(sum[i]);
            }
        }
        try {
            c[5].setRelease(attachment.counter(XdpCounter.DROPPED_NO_SOCKET));
            c[6].setRelease(attachment.counter(XdpCounter.DROPPED_MALFORMED));
        } catch (RuntimeException e) {
            // detached: keep the last values
        }
    }

    private AtomicCounter pollFailures;

    /**
     * Publishes how many of the idle dataplane threads' poll(2) waits failed (summed over threads;
     * EINTR from a signal, say a profiler's): such a wait returns at once and the thread simply
     * polls again, so nothing is lost, but a count that keeps climbing means it spins instead of sleeping.
     */
    public synchronized void pollFailures(long total) {
        if (pollFailures == null) {
            pollFailures = manager.newCounter("kernel.idle_poll_failures", CounterTypes.STAT);
        }
        pollFailures.setRelease(total);
    }

    /** The last published {@link #pollFailures(long)} total, or -1 before the first. */
    public synchronized long pollFailures() {
        return pollFailures == null ? -1 : pollFailures.get();
    }

    /** Frees an interface's counters when it is no longer served. */
    public synchronized void remove(String ifname) {
        AtomicCounter[] c = byInterface.remove(ifname);
        if (c != null) {
            for (AtomicCounter a : c) {
                a.close();
            }
        }
    }

    /** The non-zero values as "ifname.what=n ..." (for logs and test messages). */
    public synchronized String summary() {
        StringBuilder b = new StringBuilder();
        byInterface.forEach((ifname, c) -> {
            for (int i = 0; i < c.length; i++) {
                long v = c[i].get();
                if (v != 0) {
                    b.append(ifname).append('.').append(NAMES[i]).append('=').append(v).append(' ');
                }
            }
        });
        return b.toString();
    }

    /** Sum of one kind over all interfaces, by its label suffix (e.g. "xsk_rx_dropped"). */
    public synchronized long total(String what) {
        long sum = 0;
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(what)) {
                for (AtomicCounter[] c : byInterface.values()) {
                    sum += c[i].get();
                }
                return sum;
            }
        }
        throw new IllegalArgumentException(what);
    }
}
