package io.xdpmesh.dataplane.engine;

import io.xdpmesh.xdp.xsk.XskSocket;

/**
 * One XSK the dataplane thread serves: a pod's host-side interface or the uplink, with the
 * interface's own MAC, the pod MAC learned from its frames, and the TX descriptors staged during
 * a batch (flushed to the TX ring once per batch).
 *
 * <p>A port added at runtime is built by the set-up thread, handed over through the port queue,
 * and {@link #adopted} once its fill ring is primed (only then does the set-up thread register the
 * socket in the XSKMAP). A removed port is {@link #released} once the dataplane thread has taken
 * back every frame it held; only then may the set-up thread close the socket.
 */
final class Port {
    final int index;
    final String ifname;
    final XskSocket socket;
    final boolean uplink;
    final long mac;
    /** The interface's MTU: larger IP packets would be dropped silently by veth, so we count them. */
    final int mtu;
    /** The interface queue the socket is bound to (thread queue mod threads serves it). */
    final int queue;
    long learnedPodMac = -1;
    final long[] txAddr;
    final int[] txLen;
    /** XDP_PKT_CONTD on every descriptor of a staged chain but its last. */
    final int[] txOpt;
    int txCount;
    /** Descriptors submitted to TX whose completion has not been reaped yet (dataplane thread). */
    long txInFlight;
    /** Retiring: when the grace period ends, and when waiting for completions stops. */
    long retireAt;
    long giveUpAt;
    volatile boolean adopted;
    volatile boolean released;

    Port(int index, String ifname, XskSocket socket, boolean uplink, long mac, int mtu, int stage) {
        this(index, ifname, socket, uplink, mac, mtu, stage, 0);
    }

    Port(int index, String ifname, XskSocket socket, boolean uplink, long mac, int mtu, int stage, int queue) {
        this.queue = queue;
        this.mtu = mtu;
        this.index = index;
        this.ifname = ifname;
        this.socket = socket;
        this.uplink = uplink;
        this.mac = mac;
        this.txAddr = new long[stage];
        this.txLen = new int[stage];
        this.txOpt = new int[stage];
    }

    @Override
    public String toString() {
        return ifname + "#" + index + "q" + queue;
    }
}
