package io.xdpmesh.dataplane.neighbour;

import io.xdpmesh.dataplane.sys.NeighbourDump;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * Next-hop MACs of the peer nodes from the kernel's neighbour table (rtnetlink), on its own
 * thread. The dataplane reads {@link #mac(int)} (one volatile read, no allocation) and calls
 * {@link #request()} when one is missing. An unresolved peer is never guessed: the resolver makes
 * the kernel resolve it by sending one small UDP datagram to the peer (discard port 9) from an
 * ordinary socket of the node's namespace, which starts ARP / neighbour discovery, then reads the
 * table again. Peers are assumed on-link with the uplink (the cluster's node network).
 */
public final class NeighbourResolver implements AutoCloseable {
    public static final long UNRESOLVED = -1L;
    private static final int DISCARD_PORT = 9;

    private final NeighbourDump dump;
    private final DatagramChannel trigger;
    private final int uplinkIfindex;
    private volatile InetAddress[] peers;
    private volatile long[] macs;
    private volatile boolean wanted;
    private volatile boolean running = true;
    private final Thread thread;
    private long triggers;

    /** Opens its sockets in the calling thread's namespace (call it inside the node's namespace). */
    public NeighbourResolver(int uplinkIfindex, InetAddress[] peers, String name) throws IOException {
        this.dump = new NeighbourDump();
        this.trigger = DatagramChannel.open();
        this.trigger.configureBlocking(false);
        this.uplinkIfindex = uplinkIfindex;
        this.peers = peers.clone();
        long[] m = new long[peers.length];
        Arrays.fill(m, UNRESOLVED);
        this.macs = m;
        this.thread = new Thread(this::run, "xdpmesh-neighbours-" + name);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Peer addresses by node number (null for this node); control-plane thread. */
    public void peers(InetAddress[] peers) {
        this.peers = peers.clone();
        wanted = true;
        LockSupport.unpark(thread);
    }

    /** The MAC for node's address, or {@link #UNRESOLVED}. Dataplane thread; allocation-free. */
    public long mac(int node) {
        long[] m = macs;
        return node < m.length ? m[node] : UNRESOLVED;
    }

    /** Asks for a resolution round soon (dataplane thread: one volatile write). */
    public void request() {
        if (!wanted) {
            wanted = true;
        }
    }

    /** Resolves now on the caller's thread, up to timeoutMs; returns whether every peer resolved. */
    public boolean resolveAll(long timeoutMs) throws IOException {
        long end = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            if (refresh()) {
                return true;
            }
            if (System.nanoTime() > end) {
                return false;
            }
            LockSupport.parkNanos(20_000_000L);
        }
    }

    public long triggers() {
        return triggers;
    }

    private void run() {
        while (running) {
            boolean all;
            try {
                all = refresh();
            } catch (IOException e) {
                all = false;
            }
            wanted = false;
            LockSupport.parkNanos(all ? 1_000_000_000L : 100_000_000L);
        }
    }

    /** One round: read the table, trigger resolution of what is missing; true when all resolved. */
    private synchronized boolean refresh() throws IOException {
        InetAddress[] p = peers;
        long[] next = new long[p.length];
        Arrays.fill(next, UNRESOLVED);
        dump.dump(e -> {
            if (e.ifindex() != uplinkIfindex) {
                return;
            }
            for (int i = 0; i < p.length; i++) {
                if (p[i] != null && Arrays.equals(p[i].getAddress(), e.address())) {
                    next[i] = e.mac();
                }
            }
        });
        boolean all = true;
        for (int i = 0; i < p.length; i++) {
            if (p[i] != null && next[i] == UNRESOLVED) {
                all = false;
                try {
                    trigger.send(ByteBuffer.wrap(new byte[] {0}), new InetSocketAddress(p[i], DISCARD_PORT));
                    triggers++;
                } catch (IOException e) {
                    // no route yet: the next round tries again
                }
            }
        }
        if (!Arrays.equals(next, macs)) {
            macs = next;
        }
        return all;
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            trigger.close();
        } catch (IOException e) {
            // closing
        }
        dump.close();
    }
}
