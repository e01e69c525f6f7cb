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
import io.xdpmesh.dataplane.packet.Chain;
import io.xdpmesh.dataplane.packet.Checksums;
import io.xdpmesh.dataplane.packet.IcmpTooBig;
import io.xdpmesh.dataplane.packet.Mem;
import io.xdpmesh.dataplane.packet.Scratch;
import io.xdpmesh.dataplane.packet.TcpCoalescer;
import io.xdpmesh.dataplane.packet.TcpSegmenter;
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
import java.util.Queue;
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
    /** Descriptors in one TX chain: the kernel builds an skb of at most MAX_SKB_FRAGS (17) pieces. */
    static final int MAX_TX_CHAIN = 17;
    /** The scratch region: a whole 64 KB IP packet with its headers, and any uplink chain (32 pieces). */
    private static final int SCRATCH_BYTES = 128 * 1024;
    /** Flows a batch of tunnel ingress may coalesce at once. */
    private static final int COALESCE_FLOWS = 8;
    /** Below this many payload bytes per segment, segmenting is refused (an absurdly small MTU). */
    private static final int MIN_MSS = 256;
    /** Slots for ports (pod interfaces and the uplink). */
    static final int MAX_PORTS = 256;
    /** A removed port is drained for at least this long (redirects in flight when it was unregistered). */
    private static final long RETIRE_GRACE_NS = 20_000_000L;
    private static final long RETIRE_GIVE_UP_NS = 2_000_000_000L;

    private final String name;
    private final Umem umem;
    private final MemorySegment seg;
    private final long base;
    private final long frameMask;
    private final int frameSize;
    private final FrameStack frames;
    /** Ports by slot (the numbers endpoint tables and counters use); null where none. */
    private final Port[] bySlot = new Port[MAX_PORTS];
    /** The ports the duty cycle polls (replaced as a whole when ports come and go). */
    private Port[] active;
    /** Removed ports still giving back their frames. */
    private Port[] retiring = new Port[0];
    private final Queue<PortChange> portChanges;
    /** The idle wait (BACKOFF), null otherwise: ports added or removed at runtime join or leave it here. */
    private io.xdpmesh.xdp.sys.PollSet idleWait;
    private final Port uplink;
    private final int batch;
    private final int podFill;
    private final int uplinkFill;
    private final String localNodeName;
    private Map<String, Integer> portByIfname;
    private final int uplinkMtu;

    private volatile ClusterState cluster;
    private final FlowCache flowCache;
    private final SessionTable sessions;
    private final PendingQueue pending;
    private final DataplaneCommands commands;
    private final AuthRequests requests;
    /** This thread's number: its keypair lane (sending cipher, counter stream) and receive-window claims. */
    private final int thread;
    private final TransportSealer sealer;
    private final TunnelIngress tunnelIngress;
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

    /** The packet being handled on egress: one frame, or a descriptor chain (XDP_USE_SG). */
    private final Chain chain = new Chain();
    private final TcpCoalescer coalescer;
    /**
     * Largest inner packet a fresh single frame can hold sealed: what a chain is cut to when its
     * pieces must each stay one frame (held while the pair has no session, or sent plain). Sealed
     * packets go up to the tunnel MTU (from the uplink MTU) through {@link #scratch} instead.
     */
    private final int sealableMtu;
    /** Contiguous room for messages larger than one UMEM frame (jumbo uplink): gather, open, seal. */
    private final Scratch scratch = new Scratch(SCRATCH_BYTES);
    private final long[] spillAddr = new long[MAX_TX_CHAIN];
    private final int[] spillLen = new int[MAX_TX_CHAIN];
    /** Set while sending pieces whose transport checksum the segmenter or fragmenter completed. */
    private boolean l4Done;
    /** Out-parameter of {@link #podPortFor}: why it refused. */
    private DropReason podDrop;
    private final long[] scratchAddr;
    private final int[] scratchLen;
    private int scratchCount;

    private long now;
    private long nowMillis;
    private long lastExpiry;
    private long commandsRejected;
    private volatile long cycles;
    private volatile int unaccounted;
    private volatile int freeSnapshot;
    private volatile int activeCount;
    private volatile int retiringCount;

    DataplaneAgent(String name, Umem umem, Port[] ports, Port uplink, ClusterState cluster, DataplaneConfig cfg,
            DataplaneCommands commands, AuthRequests requests, DropCounters drops, StatCounters stats,
            FlowTable flows, NeighbourResolver neighbours, Map<String, Integer> portByIfname, int uplinkMtu,
            Queue<PortChange> portChanges) {
        this(name, umem, ports, uplink, cluster, cfg, commands, requests, drops, stats, flows, neighbours, portByIfname,
                uplinkMtu, portChanges, 0);
    }

    DataplaneAgent(String name, Umem umem, Port[] ports, Port uplink, ClusterState cluster, DataplaneConfig cfg,
            DataplaneCommands commands, AuthRequests requests, DropCounters drops, StatCounters stats,
            FlowTable flows, NeighbourResolver neighbours, Map<String, Integer> portByIfname, int uplinkMtu,
            Queue<PortChange> portChanges, int thread) {
        this.thread = thread;
        this.sealer = new TransportSealer(thread);
        this.tunnelIngress = new TunnelIngress(thread);
        this.name = name;
        this.umem = umem;
        this.seg = umem.segment();
        this.base = umem.address();
        this.frameSize = umem.frameSize();
        this.frameMask = ~((long) frameSize - 1);
        this.frames = umem.frames();
        for (Port p : ports) {
            bySlot[p.index] = p;
        }
        this.active = ports.clone();
        this.activeCount = ports.length;
        this.portChanges = portChanges;
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
        // Fresh frames carry the inner packet at the headroom, behind room for the outer headers.
        this.sealableMtu = (frameSize - XdpAbi.XDP_PACKET_HEADROOM - TransportData.OVERHEAD - 22) & ~15;
        boolean sg = uplink.socket.scatterGather();
        this.coalescer = new TcpCoalescer(base, sg ? MAX_TX_CHAIN : 1, COALESCE_FLOWS, this::sendPieces);
        for (Port p : ports) {
            refill(p); // fill rings primed before the first frame can arrive
            p.adopted = true;
        }
    }

    @Override
    public String roleName() {
        return "xdpmesh-dataplane-" + name + (thread == 0 ? "" : "-" + thread);
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
        for (Port p : active) {
            n += held(p);
        }
        for (Port p : retiring) {
            n += held(p);
        }
        return umem.frameCount() - n;
    }

    /** Frames in the port's rings (UMEM frames the kernel or the rings hold for it). */
    private static int held(Port p) {
        FillRing fq = p.socket.fill();
        TxRing tx = p.socket.tx();
        return fq.size() - fq.free(fq.size()) + tx.size() - tx.free(tx.size())
                + p.socket.completion().available(Integer.MAX_VALUE) + p.socket.rx().available(Integer.MAX_VALUE);
    }

    /** UMEM frames on the free stack now (dataplane thread's view; a test compares it at idle). */
    public int framesFree() {
        return freeSnapshot;
    }

    /** Ports the duty cycle polls now, and removed ones still giving back frames. */
    public int activePorts() {
        return activeCount;
    }

    public int retiringPorts() {
        return retiringCount;
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

    /**
     * On the dataplane thread, before its first duty cycle: Chronicle Map builds a per-thread query
     * context (classes loaded, buffers allocated) at a thread's first access, which otherwise fell
     * on the first packet that found a session.
     */
    @Override
    public void onStart() {
        if (authCache != null) {
            authKey.set(0, 0, 0, AuthType.SPIFFE_ENCRYPT);
            authCache.get(authKey, authEntry);
        }
    }

    @Override
    public int doWork() {
        now = System.nanoTime();
        nowMillis = System.currentTimeMillis();
        int work = applyPortChanges() + applyCommands();
        Port[] ports = active;
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
                freeSnapshot = frames.available();
            }
            if (pending.size() > 0) {
                scratchCount = 0;
                pending.expire(now - pendingTimeoutNs, this::toScratch);
                dropScratch(DropReason.HANDSHAKE_TIMEOUT);
            }
        }
        if (retiring.length > 0) {
            work += serviceRetiring();
        }
        cycles++;
        return work;
    }

    // ---------------------------------------------------------------- rings

    private int poll(Port p) {
        RxRing rx = p.socket.rx();
        int n = rx.peekPackets(batch); // whole chains only
        if (n == 0) {
            return 0;
        }
        int r = rx.peekedStart();
        long bytes = 0;
        int i = 0;
        while (i < n) {
            chain.reset();
            boolean whole = true;
            boolean more;
            do {
                long addr = rx.addr(r + i);
                int len = rx.len(r + i);
                bytes += len;
                more = rx.continues(r + i);
                if (!chain.add(addr, base + addr, len)) {
                    whole = false;
                    frames.free(addr);
                }
                i++;
            } while (more && i < n);
            if (!whole || more) {
                dropChain(DropReason.MTU_EXCEEDED);
            } else if (p.uplink) {
                if (chain.count() > 1) {
                    ingressChain(); // a jumbo uplink: the message spans several descriptors
                } else {
                    ingress(chain.umem(0), chain.len(0));
                }
            } else {
                egress(p.index, chain);
            }
        }
        rx.release(n);
        if (p.uplink) {
            coalescer.flush(); // end of the batch: nothing waits for the next one
            stats.coalescedFrames.setRelease(coalescer.mergedFrames());
            stats.coalescedSegments.setRelease(coalescer.merged());
        }
        stats.rx(p.index, n, bytes);
        return n;
    }

    private void stage(int port, long addr, int len) {
        Port p = bySlot[port];
        if (p.txCount == p.txAddr.length) {
            flush(p);
        }
        p.txAddr[p.txCount] = addr;
        p.txLen[p.txCount] = len;
        p.txOpt[p.txCount] = 0;
        p.txCount++;
    }

    /** Stages n descriptors as one packet (a chain when n > 1); never split across two flushes. */
    private void sendPieces(int port, long[] addr, int[] len, int from, int n) {
        Port p = bySlot[port];
        if (p.txCount + n > p.txAddr.length) {
            flush(p);
        }
        for (int k = 0; k < n; k++) {
            p.txAddr[p.txCount] = addr[from + k];
            p.txLen[p.txCount] = len[from + k];
            p.txOpt[p.txCount] = k < n - 1 ? XdpAbi.XDP_PKT_CONTD : 0;
            p.txCount++;
        }
    }

    private void stageChain(int port, Chain ch) {
        Port p = bySlot[port];
        int n = ch.count();
        if (p.txCount + n > p.txAddr.length) {
            flush(p);
        }
        for (int k = 0; k < n; k++) {
            p.txAddr[p.txCount] = ch.umem(k);
            p.txLen[p.txCount] = ch.len(k);
            p.txOpt[p.txCount] = k < n - 1 ? XdpAbi.XDP_PKT_CONTD : 0;
            p.txCount++;
        }
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
        // kick and retry a few times before counting the rest as dropped. A chain goes in whole.
        for (int attempt = 0; n < count && attempt < 8; attempt++) {
            if (attempt > 0) {
                p.socket.kickTxAlways();
            }
            int k = tx.reserveUpTo(count - n);
            int cut = k;
            while (cut > 0 && p.txOpt[n + cut - 1] != 0) {
                cut--;
            }
            if (cut < k) {
                tx.cancel(k - cut);
            }
            int t = tx.reservedStart();
            for (int i = 0; i < cut; i++) {
                tx.desc(t + i, p.txAddr[n + i], p.txLen[n + i], p.txOpt[n + i]);
                bytes += p.txLen[n + i];
            }
            if (cut > 0) {
                tx.submit(cut);
            }
            n += cut;
        }
        for (int i = n; i < count; i++) {
            if (p.txOpt[i] == 0) {
                drops.drop(DropReason.TX_RING_FULL); // once per packet
            }
            frames.free(p.txAddr[i]);
        }
        p.txCount = 0;
        p.txInFlight += n;
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
        p.txInFlight -= cq.drainTo(frames, Integer.MAX_VALUE);
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

    /** Drops the packet in {@link #chain}: counted once, every frame of it returned. */
    private void dropChain(DropReason reason) {
        drops.drop(reason);
        freeChain();
    }

    private void freeChain() {
        for (int i = 0; i < chain.count(); i++) {
            frames.free(chain.umem(i));
        }
        chain.reset();
    }

    // ---------------------------------------------------------------- egress

    /**
     * A packet from a pod (port >= 0; one frame or a descriptor chain, in {@link #chain}), or a held
     * frame being released (port -1: already vetted). Every frame of the packet ends in exactly one
     * place: a TX ring, the pending queue, or the free stack.
     */
    private void egress(int port, Chain ch) {
        long addr = ch.umem(0);
        int len = ch.len(0);
        boolean multi = ch.count() > 1;
        ParseVerdict v = FrameParser.parse(seg, addr, ch.total(), len, pf);
        if (v != ParseVerdict.OK) {
            dropChain(DropReason.of(v));
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
                dropChain(DropReason.UNKNOWN_SOURCE);
                return;
            }
            if (!table.isLocal(srcEp)) {
                dropChain(DropReason.SOURCE_IS_REMOTE);
                return;
            }
            dstEp = table.lookup(pf.dstHi, pf.dstLo);
            if (dstEp == EndpointTable.MISS) {
                dropChain(DropReason.UNKNOWN_DESTINATION);
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
                dropChain(DropReason.SOURCE_NOT_ON_INTERFACE);
                return;
            }
            long mac = Mem.mac(f + 6);
            if (bySlot[port].learnedPodMac != mac) {
                bySlot[port].learnedPodMac = mac;
            }
        } else {
            port = c.portOfEndpoint[srcEp];
        }
        if (verdict == Verdict.DENY.ordinal()) {
            recordFlow(verdict, 0, pf.ipPacketLength);
            dropChain(DropReason.POLICY_DENY);
            return;
        }
        if (table.isLocal(dstEp)) {
            forwardLocal(c, dstEp, verdict);
            return;
        }
        int node = table.nodeOf(dstEp);
        Session s = null;
        if (verdict != Verdict.ALLOW.ordinal()) {
            s = sess == SessionTable.NONE ? null : sessions.get(sess);
            if (s != null && !s.usable(now)) {
                s = null; // held below, piece by piece
            }
        }
        // Sealed packets go up to the tunnel MTU, built in the scratch when larger than a frame; a
        // chain held or sent plain keeps one frame per piece: cut to what a fresh frame holds.
        boolean sealing = s != null && verdict != Verdict.ALLOW.ordinal();
        int mtu = multi && !sealing ? Math.min(c.innerMtu, sealableMtu) : c.innerMtu;
        if (pf.ipPacketLength > mtu) {
            int room = sealing ? scratch.innerRoom() : frameSize - XdpAbi.XDP_PACKET_HEADROOM;
            int mss = TcpSegmenter.plan(chain, pf, mtu, MIN_MSS, room);
            if (mss == TcpSegmenter.MTU_TOO_SMALL) {
                dropChain(DropReason.MTU_EXCEEDED);
            } else if (mss > 0) {
                segment(c, s, srcEp, dstEp, node, verdict, mss, sealing);
            } else if (pf.ipVersion == 6 || (Mem.be16(f + pf.l3Offset + 6) & 0x4000) != 0) {
                tooBig(c, port, mtu);
            } else {
                fragment(c, s, srcEp, dstEp, node, verdict, Math.min(mtu, sealableMtu));
            }
            return;
        }
        if (multi) {
            if (!sealing || chain.total() != pf.l3Offset + pf.ipPacketLength) {
                dropChain(DropReason.MALFORMED_BAD_IP_TOTAL_LENGTH); // a chain that fits: trailing bytes
                return;
            }
            // A whole packet within the tunnel MTU but larger than a frame: gathered, sealed as one.
            if (!pf.fragment && pf.l4Offset >= 0) {
                chain.completeL4(chain.abs(0) + pf.l3Offset, pf.ipVersion, pf.protocol, pf.l4Offset,
                        pf.l3Offset + pf.ipPacketLength - pf.l4Offset);
            }
            int inner = pf.ipPacketLength;
            chain.copy(pf.l3Offset, scratch.base + Scratch.INNER, inner);
            freeChain();
            sealScratch(c, s, node, verdict, inner);
            return;
        }
        chain.reset(); // a single frame from here on
        emitPiece(c, s, srcEp, dstEp, node, verdict, addr, len);
    }

    /** One packet that fits the tunnel: plain (allow), sealed (session up) or held (no session yet). */
    private void emitPiece(ClusterState c, Session s, int srcEp, int dstEp, int node, int verdict, long addr, int len) {
        if (verdict == Verdict.ALLOW.ordinal()) {
            forwardPlain(node, addr, verdict);
        } else if (s != null) {
            seal(c, s, node, addr, verdict);
        } else {
            hold(c, srcEp, dstEp, node, verdict, addr, len);
        }
    }

    /**
     * TSO in software: the TCP superframe in {@link #chain} becomes segments of mss payload bytes,
     * each in a fresh frame with its checksum complete, each sealed (or sent plain, or held) as its
     * own tunnel packet; then the superframe's frames are freed.
     */
    private void segment(ClusterState c, Session s, int srcEp, int dstEp, int node, int verdict, int mss,
            boolean viaScratch) {
        int l3 = pf.l3Offset;
        int l4 = pf.l4Offset;
        int thl = TcpSegmenter.headerLength(chain.abs(0) + l4);
        int ihl = l4 - l3;
        int payload = pf.ipPacketLength - ihl - thl;
        int n = TcpSegmenter.segments(payload, mss);
        if (viaScratch) {
            // Each segment is built in the scratch, sealed there and spilled into fresh frames.
            for (int i = 0; i < n; i++) {
                int flen = TcpSegmenter.write(chain, l3, pf.ipVersion, ihl, l4, thl, payload, mss, i,
                        scratch.base + Scratch.INNER - l3);
                pf.ipPacketLength = flen - l3;
                sealScratch(c, s, node, verdict, flen - l3);
            }
            freeChain();
            stats.superframes.incrementRelease();
            StatCounters.add(stats.segments, n);
            return;
        }
        if (frames.available() < n + FRAME_RESERVE / 2) {
            dropChain(DropReason.UMEM_EXHAUSTED);
            return;
        }
        int version = pf.ipVersion;
        l4Done = true;
        for (int i = 0; i < n; i++) {
            long nf = frames.alloc() + XdpAbi.XDP_PACKET_HEADROOM;
            int flen = TcpSegmenter.write(chain, l3, version, ihl, l4, thl, payload, mss, i, base + nf);
            pf.ipPacketLength = flen - l3;
            emitPiece(c, s, srcEp, dstEp, node, verdict, nf, flen);
        }
        l4Done = false;
        freeChain();
        stats.superframes.incrementRelease();
        StatCounters.add(stats.segments, n);
    }

    /**
     * IPv4 with DF clear and larger than the tunnel MTU: completes the transport checksum over the
     * whole packet, then copies it into fragments in fresh frames and sends each as its own tunnel
     * packet (or plain for ALLOW, or held). The peer pod reassembles.
     */
    private void fragment(ClusterState c, Session s, int srcEp, int dstEp, int node, int verdict, int mtu) {
        int l3 = pf.l3Offset;
        int ihl = pf.l3HeaderLength;
        int dataLen = pf.ipPacketLength - ihl;
        int maxData = ((mtu - ihl) / 8) * 8;
        if (maxData < 8 || l3 + ihl + maxData + XdpAbi.XDP_PACKET_HEADROOM > frameSize) {
            dropChain(DropReason.MTU_EXCEEDED);
            return;
        }
        int pieces = (dataLen + maxData - 1) / maxData;
        if (frames.available() < pieces + FRAME_RESERVE / 2) {
            dropChain(DropReason.UMEM_EXHAUSTED);
            return;
        }
        long ip = chain.abs(0) + l3;
        if (!pf.fragment && pf.l4Offset >= 0) {
            chain.completeL4(ip, 4, pf.protocol, pf.l4Offset, l3 + pf.ipPacketLength - pf.l4Offset);
        }
        int field = Mem.be16(ip + 6);
        int origOffset = (field & 0x1fff) * 8;
        boolean origMore = (field & 0x2000) != 0;
        pf.fragment = true; // the transport checksum is complete: never recompute it per piece
        l4Done = true;
        for (int off = 0; off < dataLen; off += maxData) {
            int len = Math.min(maxData, dataLen - off);
            long nf = frames.alloc() + XdpAbi.XDP_PACKET_HEADROOM;
            long na = base + nf;
            Mem.copy(chain.abs(0), na, l3 + ihl);
            chain.copy(l3 + ihl + off, na + l3 + ihl, len);
            long nip = na + l3;
            Mem.putBe16(nip + 2, ihl + len);
            Mem.putBe16(nip + 6, (field & 0x4000) | ((origMore || off + len < dataLen) ? 0x2000 : 0)
                    | ((origOffset + off) >>> 3));
            Checksums.ipv4Header(nip, ihl);
            pf.ipPacketLength = ihl + len;
            emitPiece(c, s, srcEp, dstEp, node, verdict, nf, l3 + ihl + len);
        }
        l4Done = false;
        freeChain();
        stats.fragmented.incrementRelease();
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
        if (!l4Done && !pf.fragment && pf.l4Offset >= 0) {
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
     * {@code ipLen} bytes can be delivered to it; otherwise -1 with the reason in {@link #podDrop}
     * (the caller drops). Shared by local forwarding and tunnel ingress.
     */
    private int podPortFor(ClusterState c, int dstEp, int ipLen) {
        int dp = c.portOfEndpoint[dstEp];
        if (dp < 0) {
            podDrop = dp == ClusterState.OTHER_THREAD ? DropReason.POD_QUEUE_NOT_ON_THREAD
                    : DropReason.NO_INTERFACE_FOR_WORKLOAD;
            return -1;
        }
        long mac = c.endpointMac[dstEp];
        if (mac < 0) {
            mac = bySlot[dp].learnedPodMac;
        }
        if (mac < 0) {
            podDrop = DropReason.POD_MAC_UNKNOWN;
            return -1;
        }
        if (ipLen > bySlot[dp].mtu) {
            podDrop = DropReason.POD_MTU_EXCEEDED;
            return -1;
        }
        podMac = mac;
        return dp;
    }

    /** Same node: the packet in {@link #chain} goes to the destination pod's socket as it is (a chain stays one). */
    private void forwardLocal(ClusterState c, int dstEp, int verdict) {
        int dp = podPortFor(c, dstEp, pf.ipPacketLength);
        if (dp < 0) {
            dropChain(podDrop);
            return;
        }
        if (chain.count() > 1 && chain.total() != pf.l3Offset + pf.ipPacketLength) {
            dropChain(DropReason.MALFORMED_BAD_IP_TOTAL_LENGTH); // trailing bytes after the IP packet
            return;
        }
        long addr = chain.umem(0);
        if (!pf.fragment && pf.l4Offset >= 0) {
            chain.completeL4(chain.abs(0) + pf.l3Offset, pf.ipVersion, pf.protocol, pf.l4Offset,
                    pf.l3Offset + pf.ipPacketLength - pf.l4Offset);
        }
        recordFlow(verdict, 0, pf.ipPacketLength);
        ethernet(addr, podMac, bySlot[dp].mac);
        if (chain.count() == 1) {
            stage(dp, addr + pf.l3Offset - FrameParser.ETH_HLEN, FrameParser.ETH_HLEN + pf.ipPacketLength);
        } else {
            chain.advanceFirst(pf.l3Offset - FrameParser.ETH_HLEN);
            stageChain(dp, chain);
        }
        chain.reset();
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
        // auth: authenticated, payload in the clear and unpadded; encrypt (and anything else): sealed.
        boolean clear = verdict == Verdict.AUTH.ordinal();
        int body = clear ? inner : (inner + 15) & ~15;
        if (outer < frameBase || wg + TransportData.OVERHEAD + body > frameBase + frameSize) {
            // Larger than one frame can hold sealed (a jumbo tunnel MTU): build it in the scratch.
            if (inner > c.innerMtu) {
                drop(DropReason.MTU_EXCEEDED, addr);
                return;
            }
            completeChecksum(base + addr);
            Mem.copy(base + innerAddr, scratch.base + Scratch.INNER, inner);
            frames.free(addr);
            sealScratch(c, s, node, verdict, inner);
            return;
        }
        completeChecksum(base + addr);
        recordFlow(verdict, 0, inner);
        int m = clear ? sealer.authenticate(kp, seg, wg, inner, now) : sealer.seal(kp, seg, wg, inner, c.innerMtu, now);
        if (m < 0) {
            drop(DropReason.SEAL_REFUSED, addr);
            return;
        }
        int flen = tunnels.write(node, base + outer, m);
        stage(uplink.index, outer, flen);
        (clear ? stats.authenticated : stats.sealed).incrementRelease();
    }

    /**
     * Seals the inner packet of innerLen bytes (transport checksum complete) at {@link Scratch#INNER}
     * in the scratch, writes the outer headers in front and sends the frame on the uplink, as one
     * frame or a descriptor chain of fresh frames. The packet's own frames are already released.
     */
    private void sealScratch(ClusterState c, Session s, int node, int verdict, int innerLen) {
        long nh = neighbours.mac(node);
        if (nh == NeighbourResolver.UNRESOLVED) {
            neighbours.request();
            drops.drop(DropReason.NEIGHBOUR_UNRESOLVED);
            return;
        }
        if (tunnels.builtMac(node) != nh) {
            tunnels.build(node, uplink.mac, nh, c.localAddress(), c.nodeAddress(node), c.tunnelPort, c.tunnelPort);
        }
        Keypair kp = s.sendKeypair(now);
        boolean clear = verdict == Verdict.AUTH.ordinal();
        long wg = Scratch.INNER - TransportData.HEADER_BYTES;
        long outer = wg - tunnels.headerLength(node);
        recordFlow(verdict, 0, innerLen);
        int m = clear ? sealer.authenticate(kp, scratch.seg, wg, innerLen, now)
                : sealer.seal(kp, scratch.seg, wg, innerLen, c.innerMtu, now);
        if (m < 0) {
            drops.drop(DropReason.SEAL_REFUSED);
            return;
        }
        int flen = tunnels.write(node, scratch.base + outer, m);
        int k = Scratch.spill(scratch.base + outer, flen, frames, base, frameSize, FRAME_RESERVE / 2, spillAddr, spillLen);
        if (k < 0) {
            drops.drop(DropReason.UMEM_EXHAUSTED);
            return;
        }
        sendPieces(uplink.index, spillAddr, spillLen, 0, k);
        (clear ? stats.authenticated : stats.sealed).incrementRelease();
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

    /** Answers the packet in {@link #chain} with ICMP too big (quoting from its first piece) and drops it. */
    private void tooBig(ClusterState c, int port, int mtu) {
        long out = frames.alloc();
        if (out < 0) {
            dropChain(DropReason.UMEM_EXHAUSTED);
            return;
        }
        out += XdpAbi.XDP_PACKET_HEADROOM;
        long f = chain.abs(0);
        int quotable = Math.min(pf.ipPacketLength, chain.len(0) - pf.l3Offset);
        int len = IcmpTooBig.write(base + out, f + pf.l3Offset, pf.ipVersion, quotable, Mem.mac(f + 6),
                bySlot[port].mac, mtu, gatewayV4, gatewayV6Hi, gatewayV6Lo);
        dropChain(DropReason.MTU_EXCEEDED);
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
        int dp = podPortFor(c, tunnelIngress.dstEndpoint, tunnelIngress.frameLen - FrameParser.ETH_HLEN);
        if (dp < 0) {
            drop(podDrop, addr);
            return;
        }
        long e = tunnelIngress.ethOffset;
        Mem.putMac(base + e, podMac);
        Mem.putMac(base + e + 6, bySlot[dp].mac);
        recordIngressFlow(tunnelIngress.pf, tunnelIngress.verdict);
        coalescer.offer(dp, bySlot[dp].mtu, e, tunnelIngress.frameLen, tunnelIngress.pf);
    }

    /**
     * Tunnel ingress of a message that arrived as a descriptor chain (an uplink MTU larger than a
     * frame): gathered into the scratch, decided and opened there as one, then the inner frame is
     * written back into the chain's own frames (it is shorter than what arrived) and goes to the
     * pod as a frame or a chain. Open coalesced frames are flushed first, so a flow stays in order.
     */
    private void ingressChain() {
        ClusterState c = cluster;
        int r = tunnelIngress.decodeChain(chain, scratch, c, sessions, now);
        if (r == TunnelIngress.KEEPALIVE) {
            stats.keepalives.incrementRelease();
            freeChain();
            return;
        }
        if (r == TunnelIngress.DROP) {
            if (tunnelIngress.reason == DropReason.POLICY_DENY) {
                recordIngressFlow(tunnelIngress.pf, Verdict.DENY.ordinal());
            }
            dropChain(tunnelIngress.reason);
            return;
        }
        stats.opened.incrementRelease();
        int dp = podPortFor(c, tunnelIngress.dstEndpoint, tunnelIngress.frameLen - FrameParser.ETH_HLEN);
        if (dp < 0) {
            dropChain(podDrop);
            return;
        }
        long e = scratch.base + tunnelIngress.ethOffset;
        Mem.putMac(e, podMac);
        Mem.putMac(e + 6, bySlot[dp].mac);
        recordIngressFlow(tunnelIngress.pf, tunnelIngress.verdict);
        int k = chain.scatter(e, tunnelIngress.frameLen, frameSize, spillAddr, spillLen);
        if (k < 0) {
            dropChain(DropReason.POD_MTU_EXCEEDED); // more than MAX_TX_CHAIN pieces for the pod
            return;
        }
        for (int i = k; i < chain.count(); i++) {
            frames.free(chain.umem(i));
        }
        chain.reset();
        coalescer.flush();
        sendPieces(dp, spillAddr, spillLen, 0, k);
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
            chain.reset();
            chain.add(a[i], base + a[i], l[i]);
            egress(-1, chain);
        }
    }

    // ---------------------------------------------------------------- ports

    /** Set before the thread starts. */
    void idleWait(io.xdpmesh.xdp.sys.PollSet wait) {
        idleWait = wait;
    }

    private int applyPortChanges() {
        PortChange ch = portChanges.poll();
        if (ch == null) {
            return 0;
        }
        int n = 0;
        while (ch != null) {
            reconfigure(ch);
            n++;
            ch = portChanges.poll();
        }
        return n;
    }

    /**
     * One step between batches: removed ports leave the cycle (and start giving back their frames),
     * added ones join with their fill rings primed, and the new endpoint table maps onto the slots.
     */
    private void reconfigure(PortChange ch) {
        int keep = 0;
        Port[] old = active;
        Port[] next = new Port[old.length + ch.add().length];
        Port[] gone = new Port[retiring.length + ch.remove().length];
        System.arraycopy(retiring, 0, gone, 0, retiring.length);
        int goneCount = retiring.length;
        for (Port p : old) {
            boolean removed = false;
            for (int slot : ch.remove()) {
                removed |= p.index == slot && !p.uplink;
            }
            if (removed) {
                if (idleWait != null) {
                    idleWait.remove(p.socket.fd()); // before the set-up thread closes it
                }
                bySlot[p.index] = null;
                p.retireAt = now + RETIRE_GRACE_NS;
                p.giveUpAt = now + RETIRE_GIVE_UP_NS;
                gone[goneCount++] = p;
            } else {
                next[keep++] = p;
            }
        }
        for (Port p : ch.add()) {
            bySlot[p.index] = p;
            if (idleWait != null) {
                idleWait.add(p.socket.fd());
            }
            refill(p);
            next[keep++] = p;
            p.adopted = true;
            if (p.queue == 0) { // once per interface, not per queue socket (the CLI sums the threads)
                stats.portsAdded.incrementRelease();
            }
        }
        active = java.util.Arrays.copyOf(next, keep);
        retiring = java.util.Arrays.copyOf(gone, goneCount);
        activeCount = keep;
        retiringCount = goneCount;
        portByIfname = ch.portByIfname();
        updateCluster(ch.config());
    }

    /**
     * Removed ports: frames still arriving (redirects in flight when the XSKMAP entry went) are
     * dropped, completions reaped; after the grace period, with nothing left in flight, the frames
     * the kernel never consumed from the fill ring come back and the port is released to the
     * set-up thread, which closes the socket. A port whose kernel side never completes is released
     * after a longer wait, with the missing frames counted.
     */
    private int serviceRetiring() {
        int work = 0;
        int left = 0;
        Port[] r = retiring;
        for (Port p : r) {
            RxRing rx = p.socket.rx();
            int n = rx.peek(batch);
            if (n > 0) {
                int start = rx.peekedStart();
                for (int i = 0; i < n; i++) {
                    if (!rx.continues(start + i)) {
                        drops.drop(DropReason.PORT_REMOVED);
                    }
                    frames.free(rx.addr(start + i));
                }
                rx.release(n);
                work += n;
            }
            p.txInFlight -= p.socket.completion().drainTo(frames, Integer.MAX_VALUE);
            TxRing tx = p.socket.tx();
            if (p.txInFlight > 0 && tx.free(tx.size()) < tx.size()) {
                p.socket.kickTxAlways(); // errors mean the device is gone: the give-up path handles it
            }
            boolean done = now - p.retireAt >= 0 && p.txInFlight == 0 && rx.available(1) == 0;
            if (done || now - p.giveUpAt >= 0) {
                p.socket.fill().reclaimUnconsumed(frames);
                if (p.txInFlight > 0) {
                    p.txInFlight -= tx.reclaimUnconsumed(frames);
                    StatCounters.add(stats.portFramesLost, p.txInFlight);
                }
                p.released = true;
                if (p.queue == 0) {
                    stats.portsRemoved.incrementRelease();
                }
                work++;
            } else {
                r[left++] = p;
            }
        }
        if (left < r.length) {
            retiring = java.util.Arrays.copyOf(r, left);
            retiringCount = left;
        }
        return work;
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
        if (s == null || cmd.keypair().sendLanes() <= thread) { // no own cipher for this thread: never share one
            commandsRejected++;
            cmd.keypair().release();
            return;
        }
        s.localIdentity = PairKey.src(key);
        s.remoteIdentity = PairKey.dst(key);
        s.remoteNode = PairKey.node(key);
        s.expiresAtNanos = now + (cmd.expiresAtEpochMillis() - System.currentTimeMillis()) * 1_000_000L;
        for (Keypair k : sessions.install(s, cmd.keypair())) {
            k.release();
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
            k.release();
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
                    k.release();
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
