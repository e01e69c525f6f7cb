package io.xdpmesh.dataplane.engine;

import io.xdpmesh.crypto.transport.Keypair;
import io.xdpmesh.crypto.transport.TransportData;
import io.xdpmesh.crypto.transport.TransportOpener;
import io.xdpmesh.crypto.transport.TransportSealer;
import io.xdpmesh.dataplane.authcache.AuthCache;
import io.xdpmesh.dataplane.authcache.AuthEntry;
import io.xdpmesh.dataplane.authcache.AuthKey;
import io.xdpmesh.dataplane.authcache.AuthType;
import io.xdpmesh.dataplane.cluster.ClusterConfig;
import io.xdpmesh.dataplane.counters.DropCounters;
import io.xdpmesh.dataplane.counters.DropReason;
import io.xdpmesh.dataplane.counters.StatCounters;
import io.xdpmesh.dataplane.endpoint.EndpointTable;
import io.xdpmesh.dataplane.flow.FlowCache;
import io.xdpmesh.dataplane.flow.FlowTable;
import io.xdpmesh.dataplane.neighbour.NeighbourResolver;
import io.xdpmesh.dataplane.packet.Checksums;
import io.xdpmesh.dataplane.packet.IcmpTooBig;
import io.xdpmesh.dataplane.packet.Mem;
import io.xdpmesh.dataplane.packet.TunnelHeaders;
import io.xdpmesh.dataplane.parse.FrameParser;
import io.xdpmesh.dataplane.parse.ParseVerdict;
import io.xdpmesh.dataplane.parse.ParsedFrame;
import io.xdpmesh.dataplane.pending.PairKey;
import io.xdpmesh.dataplane.pending.PendingQueue;
import io.xdpmesh.dataplane.policy.Verdict;
import io.xdpmesh.dataplane.session.AuthRequests;
import io.xdpmesh.dataplane.session.DataplaneCommands;
import io.xdpmesh.dataplane.session.Session;
import io.xdpmesh.dataplane.session.SessionTable;
import io.xdpmesh.xdp.sys.XdpAbi;
import io.xdpmesh.xdp.xsk.CompletionRing;
import io.xdpmesh.xdp.xsk.FillRing;
import io.xdpmesh.xdp.xsk.FrameStack;
import io.xdpmesh.xdp.xsk.RxRing;
import io.xdpmesh.xdp.xsk.TxRing;
import io.xdpmesh.xdp.xsk.Umem;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import org.agrona.concurrent.Agent;

/**
 * The duty cycle of one dataplane thread: every XSK it serves (pod host-side interfaces and the
 * uplink) shares one UMEM, so forwarding is handing a frame's UMEM address from one socket's RX
 * ring to another's TX ring, never a copy. Per cycle: apply control-plane commands, take a batch
 * from each RX ring, process it (egress from pods: policy, local forward, plain forward, seal or
 * hold; ingress from the uplink: open, anti-spoofing, deliver), flush the staged TX descriptors,
 * kick TX and the fill ring only when the kernel asks (need_wakeup), reap completions and refill.
 *
 * <p>Frame ownership: a received frame ends in exactly one place: a TX ring (back through the
 * completion ring), the pending queue, or the free stack (dropped and counted).
 *
 * <p>Single-threaded; allocation-free, lock-free and syscall-free per packet.
 */
public final class DataplaneAgent implements Agent {
    private static final int FRAME_RESERVE = 128; // kept back from the fill rings for ICMP answers
    private static final long EXPIRY_PERIOD_NS = 50_000_000L;
    private static final int MAX_COMMANDS_PER_CYCLE = 64;

    private final String name;
    private final Umem umem;
    private final MemorySegment seg;
    private final long base;
    private final long frameMask;
    private final int frameSize;
    private final FrameStack frames;
    private final Port[] ports;
    private final Port uplink;
    private final int batch;
    private final int podFill;
    private final int uplinkFill;
    private final String localNodeName;
    private final Map<String, Integer> portByIfname;
    private final int uplinkMtu;

    private volatile ClusterState cluster;
    private final FlowCache flowCache;
    private final SessionTable sessions;
    private final PendingQueue pending;
    private final DataplaneCommands commands;
    private final AuthRequests requests;
    private final TransportSealer sealer = new TransportSealer();
    private final TunnelIngress tunnelIngress = new TunnelIngress();
    private final ParsedFrame pf = new ParsedFrame();
    /** Out-parameter of {@link #podPortFor}: the destination pod's MAC (a field, so nothing is allocated). */
    private long podMac;
    private final DropCounters drops;
    private final StatCounters stats;
    private final FlowTable flows;
    private final NeighbourResolver neighbours;
    private final TunnelHeaders tunnels;
    private final AuthCache authCache;
    private final AuthKey authKey = new AuthKey();
    private final AuthEntry authEntry = new AuthEntry();
    private final long pendingTimeoutNs;
    private final int gatewayV4;
    private final long gatewayV6Hi;
    private final long gatewayV6Lo;

    private final long[] fragAddr = new long[8];
    private final int[] fragLen = new int[8];
    private final long[] scratchAddr;
    private final int[] scratchLen;
    private int scratchCount;

    private long now;
    private long nowMillis;
    private long lastExpiry;
    private long commandsRejected;
    private volatile long cycles;
    private volatile int unaccounted;

    DataplaneAgent(String name, Umem umem, Port[] ports, Port uplink, ClusterState cluster, DataplaneConfig cfg,
            DataplaneCommands commands, AuthRequests requests, DropCounters drops, StatCounters stats,
            FlowTable flows, NeighbourResolver neighbours, Map<String, Integer> portByIfname, int uplinkMtu) {
        this.name = name;
        this.umem = umem;
        this.seg = umem.segment();
        this.base = umem.address();
        this.frameSize = umem.frameSize();
        this.frameMask = ~((long) frameSize - 1);
        this.frames = umem.frames();
        this.ports = ports;
        this.uplink = uplink;
        this.batch = cfg.batch;
        this.podFill = cfg.podFill;
        this.uplinkFill = cfg.uplinkFill;
        this.localNodeName = cfg.node;
        this.portByIfname = portByIfname;
        this.uplinkMtu = uplinkMtu;
        this.cluster = cluster;
        this.flowCache = new FlowCache(cfg.flowCacheSlots);
        this.sessions = new SessionTable(cfg.maxSessions);
        this.pending = new PendingQueue(cfg.pendingGlobal, cfg.pendingPerPair, cfg.pendingPairs);
        this.commands = commands;
        this.requests = requests;
        this.drops = drops;
        this.stats = stats;
        this.flows = flows;
        this.neighbours = neighbours;
        this.tunnels = new TunnelHeaders(ClusterState.MAX_NODES);
        this.authCache = cfg.authCache;
        this.pendingTimeoutNs = cfg.pendingTimeout.toNanos();
        this.gatewayV4 = cfg.gatewayV4;
        this.gatewayV6Hi = cfg.gatewayV6Hi;
        this.gatewayV6Lo = cfg.gatewayV6Lo;
        this.scratchAddr = new long[Math.max(cfg.pendingGlobal, cfg.pendingPerPair)];
        this.scratchLen = new int[scratchAddr.length];
        this.now = System.nanoTime();
        this.lastExpiry = now;
        for (Port p : ports) {
            refill(p); // fill rings primed before the first frame can arrive
        }
    }

    @Override
    public String roleName() {
        return "xdpmesh-dataplane-" + name;
    }

    public ClusterState cluster() {
        return cluster;
    }

    /** Duty cycles run so far (volatile: other threads may watch progress). */
    public long cycles() {
        return cycles;
    }

    /**
     * UMEM frames not found anywhere (free stack, pending queue, fill/RX/TX/completion rings) at the
     * last idle audit: a leak if it stays non-zero while no traffic flows.
     */
    public int framesUnaccounted() {
        return unaccounted;
    }

    private int audit() {
        int n = frames.available() + pending.size();
        for (Port p : ports) {
            FillRing fq = p.socket.fill();
            TxRing tx = p.socket.tx();
            n += fq.size() - fq.free(fq.size());
            n += tx.size() - tx.free(tx.size());
            n += p.socket.completion().available(Integer.MAX_VALUE);
            n += p.socket.rx().available(Integer.MAX_VALUE);
        }
        return umem.frameCount() - n;
    }

    public long commandsRejected() {
        return commandsRejected;
    }

    public int pendingFrames() {
        return pending.size();
    }

    public int sessionCount() {
        return sessions.size();
    }

    @Override
    public int doWork() {
        now = System.nanoTime();
        nowMillis = System.currentTimeMillis();
        int work = applyCommands();
        for (Port p : ports) {
            work += poll(p);
        }
        for (Port p : ports) {
            flush(p);
            kickTx(p);
            refill(p);
        }
        if (now - lastExpiry > EXPIRY_PERIOD_NS) {
            lastExpiry = now;
            if (work == 0) {
                unaccounted = audit();
            }
            if (pending.size() > 0) {
                scratchCount = 0;
                pending.expire(now - pendingTimeoutNs, this::toScratch);
                dropScratch(DropReason.HANDSHAKE_TIMEOUT);
            }
        }
        cycles++;
        return work;
    }

    // ---------------------------------------------------------------- rings

    private int poll(Port p) {
        RxRing rx = p.socket.rx();
        int n = rx.peek(batch);
        if (n == 0) {
            return 0;
        }
        int r = rx.peekedStart();
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            long addr = rx.addr(r + i);
            int len = rx.len(r + i);
            bytes += len;
            if ((rx.options(r + i) & XdpAbi.XDP_PKT_CONTD) != 0) {
                drop(DropReason.MTU_EXCEEDED, addr); // multi-buffer frames: sockets are bound without SG
            } else if (p.uplink) {
                ingress(addr, len);
            } else {
                egress(p.index, addr, len);
            }
        }
        rx.release(n);
        stats.rx(p.index, n, bytes);
        return n;
    }

    private void stage(int port, long addr, int len) {
        Port p = ports[port];
        if (p.txCount == p.txAddr.length) {
            flush(p);
        }
        p.txAddr[p.txCount] = addr;
        p.txLen[p.txCount] = len;
        p.txCount++;
    }

    private void flush(Port p) {
        int count = p.txCount;
        if (count == 0) {
            return;
        }
        TxRing tx = p.socket.tx();
        int n = 0;
        long bytes = 0;
        // A full ring is drained by the kernel only on a kick (veth: at most 32 frames per kick):
        // kick and retry a few times before counting the rest as dropped.
        for (int attempt = 0; n < count && attempt < 8; attempt++) {
            if (attempt > 0) {
                p.socket.kickTxAlways();
            }
            int k = tx.reserveUpTo(count - n);
            int t = tx.reservedStart();
            for (int i = 0; i < k; i++) {
                tx.desc(t + i, p.txAddr[n + i], p.txLen[n + i], 0);
                bytes += p.txLen[n + i];
            }
            if (k > 0) {
                tx.submit(k);
            }
            n += k;
        }
        for (int i = n; i < count; i++) {
            drop(DropReason.TX_RING_FULL, p.txAddr[i]);
        }
        p.txCount = 0;
        stats.tx(p.index, n, bytes);
    }

    private void kickTx(Port p) {
        TxRing tx = p.socket.tx();
        if (tx.free(tx.size()) < tx.size() && tx.needsWakeup()) {
            p.socket.kickTxAlways();
        }
    }

    private void refill(Port p) {
        CompletionRing cq = p.socket.completion();
        cq.drainTo(frames, Integer.MAX_VALUE);
        FillRing fq = p.socket.fill();
        int target = p.uplink ? uplinkFill : podFill;
        int outstanding = fq.size() - fq.free(fq.size());
        int want = Math.min(target - outstanding, frames.available() - FRAME_RESERVE);
        if (want > 0 && fq.fillFrom(frames, want) > 0 && fq.needsWakeup()) {
            p.socket.kickFillAlways();
        }
    }

    private void drop(DropReason reason, long addr) {
        drops.drop(reason);
        frames.free(addr);
    }

    // ---------------------------------------------------------------- egress

    /** A frame from a pod (port >= 0), or a held frame being released (port -1: already vetted). */
    private void egress(int port, long addr, int len) {
        ParseVerdict v = FrameParser.parse(seg, addr, len, pf);
        if (v != ParseVerdict.OK) {
            drop(DropReason.of(v), addr);
            return;
        }
        long f = base + addr;
        ClusterState c = cluster;
        EndpointTable table = c.table;
        int slot = flowCache.find(pf.srcHi, pf.srcLo, pf.dstHi, pf.dstLo);
        int srcEp;
        int dstEp;
        int verdict;
        int sess;
        if (slot != FlowCache.MISS) {
            srcEp = flowCache.srcEndpoint(slot);
            dstEp = flowCache.dstEndpoint(slot);
            verdict = flowCache.verdict(slot);
            sess = flowCache.session(slot);
        } else {
            srcEp = table.lookup(pf.srcHi, pf.srcLo);
            if (srcEp == EndpointTable.MISS) {
                drop(DropReason.UNKNOWN_SOURCE, addr);
                return;
            }
            if (!table.isLocal(srcEp)) {
                drop(DropReason.SOURCE_IS_REMOTE, addr);
                return;
            }
            dstEp = table.lookup(pf.dstHi, pf.dstLo);
            if (dstEp == EndpointTable.MISS) {
                drop(DropReason.UNKNOWN_DESTINATION, addr);
                return;
            }
            verdict = c.policy.verdictOrdinal(table.identityOf(srcEp), table.identityOf(dstEp));
            sess = SessionTable.NONE;
            if (!table.isLocal(dstEp) && Verdict.ofOrdinal(verdict).needsSession()) {
                sess = lookupSession(c, srcEp, dstEp, verdict);
            }
            flowCache.put(pf.srcHi, pf.srcLo, pf.dstHi, pf.dstLo, srcEp, dstEp, verdict, sess);
        }
        if (port >= 0) {
            if (c.portOfEndpoint[srcEp] != port) {
                drop(DropReason.SOURCE_NOT_ON_INTERFACE, addr);
                return;
            }
            long mac = Mem.mac(f + 6);
            if (ports[port].learnedPodMac != mac) {
                ports[port].learnedPodMac = mac;
            }
        } else {
            port = c.portOfEndpoint[srcEp];
        }
        if (verdict == Verdict.DENY.ordinal()) {
            recordFlow(verdict, 0, pf.ipPacketLength);
            drop(DropReason.POLICY_DENY, addr);
            return;
        }
        if (table.isLocal(dstEp)) {
            forwardLocal(c, dstEp, addr, verdict);
            return;
        }
        int node = table.nodeOf(dstEp);
        boolean big = pf.ipPacketLength > c.innerMtu;
        if (big && (pf.ipVersion == 6 || (Mem.be16(f + pf.l3Offset + 6) & 0x4000) != 0)) {
            tooBig(c, port, addr);
            return;
        }
        if (verdict == Verdict.ALLOW.ordinal()) {
            if (big) {
                fragment(c, null, node, addr, verdict);
            } else {
                forwardPlain(node, addr, verdict);
            }
            return;
        }
        Session s = sess == SessionTable.NONE ? null : sessions.get(sess);
        if (s == null || !s.usable(now)) {
            hold(c, srcEp, dstEp, node, verdict, addr, len);
            return;
        }
        if (big) {
            fragment(c, s, node, addr, verdict);
        } else {
            seal(c, s, node, addr, verdict);
        }
    }

    /**
     * IPv4 with DF clear and larger than the tunnel MTU: completes the transport checksum over the
     * whole packet, then splits it into fragments (the first stays in its frame, the others are
     * copied into fresh frames before the first is sealed in place over their data) and sends each
     * as its own tunnel packet (or plain for ALLOW). The peer pod reassembles.
     */
    private void fragment(ClusterState c, Session s, int node, long addr, int verdict) {
        long f = base + addr;
        int l3 = pf.l3Offset;
        int ihl = pf.l3HeaderLength;
        int dataLen = pf.ipPacketLength - ihl;
        int maxData = ((c.innerMtu - ihl) / 8) * 8;
        int pieces = (dataLen + maxData - 1) / maxData;
        if (maxData <= 0 || pieces > fragAddr.length + 1 || l3 + ihl + maxData + XdpAbi.XDP_PACKET_HEADROOM > frameSize) {
            drop(DropReason.MTU_EXCEEDED, addr);
            return;
        }
        if (frames.available() < pieces - 1 + FRAME_RESERVE / 2) {
            drop(DropReason.UMEM_EXHAUSTED, addr);
            return;
        }
        completeChecksum(f);
        long ip = f + l3;
        int field = Mem.be16(ip + 6);
        int origOffset = (field & 0x1fff) * 8;
        boolean origMore = (field & 0x2000) != 0;
        int n = 0;
        for (int off = maxData; off < dataLen; off += maxData) {
            int len = Math.min(maxData, dataLen - off);
            long nf = frames.alloc() + XdpAbi.XDP_PACKET_HEADROOM;
            long na = base + nf;
            Mem.copy(f, na, l3 + ihl);
            Mem.copy(ip + ihl + off, na + l3 + ihl, len);
            long nip = na + l3;
            Mem.putBe16(nip + 2, ihl + len);
            Mem.putBe16(nip + 6, ((origMore || off + len < dataLen) ? 0x2000 : 0) | ((origOffset + off) >>> 3));
            Checksums.ipv4Header(nip, ihl);
            fragAddr[n] = nf;
            fragLen[n] = ihl + len;
            n++;
        }
        Mem.putBe16(ip + 2, ihl + maxData);
        Mem.putBe16(ip + 6, 0x2000 | (origOffset >>> 3));
        Checksums.ipv4Header(ip, ihl);
        stats.fragmented.incrementRelease();
        pf.fragment = true; // the transport checksum is complete: never recompute it per piece
        pf.ipPacketLength = ihl + maxData;
        sendPiece(c, s, node, addr, verdict);
        for (int i = 0; i < n; i++) {
            pf.ipPacketLength = fragLen[i];
            sendPiece(c, s, node, fragAddr[i], verdict);
        }
    }

    private void sendPiece(ClusterState c, Session s, int node, long addr, int verdict) {
        if (s == null) {
            forwardPlain(node, addr, verdict);
        } else {
            seal(c, s, node, addr, verdict);
        }
    }

    private int lookupSession(ClusterState c, int srcEp, int dstEp, int verdict) {
        int local = c.table.identityOf(srcEp);
        int remote = c.table.identityOf(dstEp);
        int node = c.table.nodeOf(dstEp);
        int slot = sessions.findPair(PairKey.of(local, remote, node));
        if (slot != SessionTable.NONE && authCache != null) {
            AuthType type = verdict == Verdict.AUTH.ordinal() ? AuthType.SPIFFE_AUTH : AuthType.SPIFFE_ENCRYPT;
            authKey.set(c.identityHashes[local], c.identityHashes[remote], c.nodeHashes[node], type);
            if (!authCache.get(authKey, authEntry) || !authEntry.validAt(nowMillis)) {
                return SessionTable.NONE;
            }
        }
        return slot;
    }

    private void completeChecksum(long f) {
        if (!pf.fragment && pf.l4Offset >= 0) {
            Checksums.completeL4(f + pf.l3Offset, pf.ipVersion, pf.protocol, f + pf.l4Offset,
                    pf.l3Offset + pf.ipPacketLength - pf.l4Offset);
        }
    }

    /** Moves the IP packet behind a fresh Ethernet header (dropping VLAN tags); returns its UMEM address. */
    private long ethernet(long addr, long dstMac, long srcMac) {
        long e = addr + pf.l3Offset - FrameParser.ETH_HLEN;
        long a = base + e;
        Mem.putBe16(a + 12, pf.ipVersion == 4 ? FrameParser.ETH_P_IP : FrameParser.ETH_P_IPV6);
        Mem.putMac(a, dstMac);
        Mem.putMac(a + 6, srcMac);
        return e;
    }

    /**
     * The port of the destination pod, with its MAC left in {@link #podMac}, when a packet of
     * {@code ipLen} bytes can be delivered to it; otherwise the frame is dropped by reason and -1
     * returned. Shared by local forwarding and tunnel ingress.
     */
    private int podPortFor(ClusterState c, int dstEp, int ipLen, long addr) {
        int dp = c.portOfEndpoint[dstEp];
        if (dp < 0) {
            drop(DropReason.NO_INTERFACE_FOR_WORKLOAD, addr);
            return -1;
        }
        long mac = c.endpointMac[dstEp];
        if (mac < 0) {
            mac = ports[dp].learnedPodMac;
        }
        if (mac < 0) {
            drop(DropReason.POD_MAC_UNKNOWN, addr);
            return -1;
        }
        if (ipLen > ports[dp].mtu) {
            drop(DropReason.POD_MTU_EXCEEDED, addr);
            return -1;
        }
        podMac = mac;
        return dp;
    }

    private void forwardLocal(ClusterState c, int dstEp, long addr, int verdict) {
        int dp = podPortFor(c, dstEp, pf.ipPacketLength, addr);
        if (dp < 0) {
            return;
        }
        completeChecksum(base + addr);
        recordFlow(verdict, 0, pf.ipPacketLength);
        long e = ethernet(addr, podMac, ports[dp].mac);
        stage(dp, e, FrameParser.ETH_HLEN + pf.ipPacketLength);
        stats.forwardedLocal.incrementRelease();
    }

    private void forwardPlain(int node, long addr, int verdict) {
        long nh = neighbours.mac(node);
        if (nh == NeighbourResolver.UNRESOLVED) {
            neighbours.request();
            drop(DropReason.NEIGHBOUR_UNRESOLVED, addr);
            return;
        }
        completeChecksum(base + addr);
        recordFlow(verdict, 0, pf.ipPacketLength);
        long e = ethernet(addr, nh, uplink.mac);
        stage(uplink.index, e, FrameParser.ETH_HLEN + pf.ipPacketLength);
        stats.forwardedPlain.incrementRelease();
    }

    private void seal(ClusterState c, Session s, int node, long addr, int verdict) {
        long nh = neighbours.mac(node);
        if (nh == NeighbourResolver.UNRESOLVED) {
            neighbours.request();
            drop(DropReason.NEIGHBOUR_UNRESOLVED, addr);
            return;
        }
        if (tunnels.builtMac(node) != nh) {
            tunnels.build(node, uplink.mac, nh, c.localAddress(), c.nodeAddress(node), c.tunnelPort, c.tunnelPort);
        }
        Keypair kp = s.sendKeypair(now);
        int inner = pf.ipPacketLength;
        long innerAddr = addr + pf.l3Offset;
        long wg = innerAddr - TransportData.HEADER_BYTES;
        long outer = wg - tunnels.headerLength(node);
        long frameBase = addr & frameMask;
        int padded = (inner + 15) & ~15;
        if (outer < frameBase || wg + TransportData.OVERHEAD + padded > frameBase + frameSize) {
            drop(DropReason.MTU_EXCEEDED, addr);
            return;
        }
        completeChecksum(base + addr);
        recordFlow(verdict, 0, inner);
        int m = sealer.seal(kp, seg, wg, inner, c.innerMtu, now);
        if (m < 0) {
            drop(DropReason.SEAL_REFUSED, addr);
            return;
        }
        int flen = tunnels.write(node, base + outer, m);
        stage(uplink.index, outer, flen);
        stats.sealed.incrementRelease();
    }

    private void hold(ClusterState c, int srcEp, int dstEp, int node, int verdict, long addr, int len) {
        int local = c.table.identityOf(srcEp);
        int remote = c.table.identityOf(dstEp);
        long key = PairKey.of(local, remote, node);
        boolean fresh = !pending.isPending(key);
        int r = pending.enqueue(key, addr, len, now);
        switch (r) {
            case PendingQueue.REJECTED_TOO_MANY_PAIRS -> {
                drop(DropReason.PENDING_TOO_MANY_PAIRS, addr);
                return;
            }
            case PendingQueue.QUEUED_EVICTED_PAIR_OLDEST -> drop(DropReason.PENDING_PAIR_FULL, pending.evictedAddr());
            case PendingQueue.QUEUED_EVICTED_GLOBAL_OLDEST -> drop(DropReason.PENDING_GLOBAL_FULL, pending.evictedAddr());
            default -> { }
        }
        stats.held.incrementRelease();
        if (fresh) {
            if (requests.offer(verdict, c.generation, key, now, c.identityNames[local], c.identityNames[remote],
                    c.nodeNames[node])) {
                stats.authRequests.incrementRelease();
            } else {
                scratchCount = 0;
                pending.drain(key, this::toScratch);
                dropScratch(DropReason.AUTH_REQUEST_QUEUE_FULL);
            }
        }
    }

    private void tooBig(ClusterState c, int port, long addr) {
        long out = frames.alloc();
        if (out < 0) {
            drop(DropReason.UMEM_EXHAUSTED, addr);
            return;
        }
        out += XdpAbi.XDP_PACKET_HEADROOM;
        long f = base + addr;
        int len = IcmpTooBig.write(base + out, f + pf.l3Offset, pf.ipVersion, pf.ipPacketLength, Mem.mac(f + 6),
                ports[port].mac, c.innerMtu, gatewayV4, gatewayV6Hi, gatewayV6Lo);
        drop(DropReason.MTU_EXCEEDED, addr);
        stage(port, out, len);
        stats.icmpTooBig.incrementRelease();
    }

    private void recordFlow(int verdict, int direction, int bytes) {
        if (flows != null) {
            flows.record(pf.srcHi, pf.srcLo, pf.dstHi, pf.dstLo, pf.protocol, pf.srcPort, pf.dstPort, verdict,
                    direction, bytes, nowMillis);
        }
    }

    // ---------------------------------------------------------------- ingress

    private void ingress(long addr, int len) {
        ClusterState c = cluster;
        int r = tunnelIngress.decode(seg, addr, len, c, sessions, now);
        if (r == TunnelIngress.KEEPALIVE) {
            stats.keepalives.incrementRelease();
            frames.free(addr);
            return;
        }
        if (r == TunnelIngress.DROP) {
            if (tunnelIngress.reason == DropReason.POLICY_DENY) {
                recordIngressFlow(tunnelIngress.pf, Verdict.DENY.ordinal());
            }
            drop(tunnelIngress.reason, addr);
            return;
        }
        stats.opened.incrementRelease();
        int dp = podPortFor(c, tunnelIngress.dstEndpoint, tunnelIngress.frameLen - FrameParser.ETH_HLEN, addr);
        if (dp < 0) {
            return;
        }
        long e = tunnelIngress.ethOffset;
        Mem.putMac(base + e, podMac);
        Mem.putMac(base + e + 6, ports[dp].mac);
        recordIngressFlow(tunnelIngress.pf, tunnelIngress.verdict);
        stage(dp, e, tunnelIngress.frameLen);
    }

    private void recordIngressFlow(ParsedFrame p, int verdict) {
        if (flows != null) {
            flows.record(p.srcHi, p.srcLo, p.dstHi, p.dstLo, p.protocol, p.srcPort, p.dstPort, verdict, 1,
                    p.ipPacketLength, nowMillis);
        }
    }

    // ---------------------------------------------------------------- commands

    private void toScratch(long addr, int len) {
        scratchAddr[scratchCount] = addr;
        scratchLen[scratchCount] = len;
        scratchCount++;
    }

    private void dropScratch(DropReason reason) {
        for (int i = 0; i < scratchCount; i++) {
            drop(reason, scratchAddr[i]);
        }
        scratchCount = 0;
    }

    /** Re-runs held frames through egress (after a session came up or the cluster changed). */
    private void replayScratch() {
        int n = scratchCount;
        scratchCount = 0;
        // egress may hold frames again (and use the scratch for a failed request): copy out first
        long[] a = new long[n];
        int[] l = new int[n];
        System.arraycopy(scratchAddr, 0, a, 0, n);
        System.arraycopy(scratchLen, 0, l, 0, n);
        for (int i = 0; i < n; i++) {
            stats.released.incrementRelease();
            egress(-1, a[i], l[i]);
        }
    }

    private int applyCommands() {
        int n = 0;
        DataplaneCommands.Command cmd;
        while (n < MAX_COMMANDS_PER_CYCLE && (cmd = commands.poll()) != null) {
            n++;
            switch (cmd) {
                case DataplaneCommands.InstallSession c -> install(c);
                case DataplaneCommands.FailPair c -> fail(c);
                case DataplaneCommands.RemoveSession c -> remove(c);
                case DataplaneCommands.UpdateCluster c -> updateCluster(c.config());
            }
        }
        return n;
    }

    private long pairKey(ClusterState c, String localId, String remoteId, String remoteNode) {
        int l = c.table.identityNumber(localId);
        int r = c.table.identityNumber(remoteId);
        int node = c.nodeIndex(remoteNode);
        if (l < 0 || r < 0 || node < 0 || node == c.table.localNode()) {
            return -1;
        }
        return PairKey.of(l, r, node);
    }

    private void install(DataplaneCommands.InstallSession cmd) {
        ClusterState c = cluster;
        long key = pairKey(c, cmd.localId(), cmd.remoteId(), cmd.remoteNode());
        Session s = key < 0 ? null : sessions.getOrCreate(cmd.localId(), cmd.remoteId(), cmd.remoteNode(), key);
        if (s == null) {
            commandsRejected++;
            cmd.keypair().close();
            return;
        }
        s.localIdentity = PairKey.src(key);
        s.remoteIdentity = PairKey.dst(key);
        s.remoteNode = PairKey.node(key);
        s.expiresAtNanos = now + (cmd.expiresAtEpochMillis() - System.currentTimeMillis()) * 1_000_000L;
        for (Keypair k : sessions.install(s, cmd.keypair())) {
            k.close();
        }
        flowCache.invalidateAll();
        scratchCount = 0;
        pending.drain(key, this::toScratch);
        cmd.applied(System.nanoTime());
        replayScratch();
    }

    private void fail(DataplaneCommands.FailPair cmd) {
        long key = pairKey(cluster, cmd.localId(), cmd.remoteId(), cmd.remoteNode());
        if (key < 0) {
            commandsRejected++;
            return;
        }
        scratchCount = 0;
        pending.drain(key, this::toScratch);
        dropScratch(cmd.reason().dropReason());
    }

    private void remove(DataplaneCommands.RemoveSession cmd) {
        Session s = sessions.find(cmd.localId(), cmd.remoteId(), cmd.remoteNode());
        if (s == null) {
            commandsRejected++;
            return;
        }
        for (Keypair k : sessions.remove(s)) {
            k.close();
        }
        flowCache.invalidateAll();
    }

    private void updateCluster(ClusterConfig config) {
        ClusterState next;
        try {
            next = ClusterState.build(config, localNodeName, portByIfname, uplinkMtu, cluster.generation + 1);
        } catch (RuntimeException e) {
            commandsRejected++;
            return;
        }
        // Renumber sessions by name; drop those whose identities or node are gone.
        for (Session s : sessions.all()) {
            long key = pairKey(next, s.localId, s.remoteId, s.remoteNodeName);
            if (key < 0) {
                for (Keypair k : sessions.remove(s)) {
                    k.close();
                }
                continue;
            }
            sessions.rekeyPair(s, key);
            s.localIdentity = PairKey.src(key);
            s.remoteIdentity = PairKey.dst(key);
            s.remoteNode = PairKey.node(key);
        }
        cluster = next;
        flowCache.invalidateAll();
        tunnels.invalidateAll(); // node addresses may have changed: rebuild templates on next use
        neighbours.peers(next.peers);
        // Held frames are keyed by the old numbering: run them through egress again.
        scratchCount = 0;
        pending.expire(now + 1, this::toScratch);
        replayScratch();
    }

    List<Session> sessionsSnapshot() {
        return sessions.all();
    }

    TransportOpener opener() {
        return tunnelIngress.opener();
    }
}
