package io.xdpmesh.dataplane.engine;

import io.xdpmesh.crypto.transport.Keypair;
import io.xdpmesh.crypto.transport.OpenStatus;
import io.xdpmesh.crypto.transport.TransportData;
import io.xdpmesh.crypto.transport.TransportOpener;
import io.xdpmesh.dataplane.counters.DropReason;
import io.xdpmesh.dataplane.endpoint.EndpointTable;
import io.xdpmesh.dataplane.packet.Chain;
import io.xdpmesh.dataplane.packet.Scratch;
import io.xdpmesh.dataplane.parse.Bytes;
import io.xdpmesh.dataplane.parse.FrameParser;
import io.xdpmesh.dataplane.parse.ParseVerdict;
import io.xdpmesh.dataplane.parse.ParsedFrame;
import io.xdpmesh.dataplane.policy.Verdict;
import io.xdpmesh.dataplane.session.Session;
import io.xdpmesh.dataplane.session.SessionTable;
import java.lang.foreign.MemorySegment;

/**
 * The ingress decision for one uplink frame, apart from the rings so it can be fuzzed: outer parse,
 * UDP to the tunnel port, WireGuard type 4, receiver index -> session, open in place (replay
 * window, authentication), inner parse, anti-spoofing (inner source an address of the session's
 * remote identity on its node, inner destination one of its local identity on this node), policy.
 * On {@link #DELIVER} an Ethernet type has been written in front of the inner packet; the caller
 * writes the MACs at {@link #ethOffset} and sends {@link #frameLen} bytes to the pod.
 */
public final class TunnelIngress {
    public static final int DELIVER = 0;
    public static final int KEEPALIVE = 1;
    public static final int DROP = 2;

    private final TransportOpener opener;
    /** What the last call parsed (the inner packet on DELIVER). */
    public final ParsedFrame pf = new ParsedFrame();
    public DropReason reason;
    public long ethOffset;
    public int frameLen;
    public int dstEndpoint;
    public int verdict;

    public TunnelIngress() {
        this(0);
    }

    /** The ingress decision of dataplane thread {@code thread} (its opener claims receive windows). */
    public TunnelIngress(int thread) {
        opener = new TransportOpener(thread);
    }

    public TransportOpener opener() {
        return opener;
    }

    private int drop(DropReason r) {
        reason = r;
        return DROP;
    }

    public int decode(MemorySegment seg, long addr, int len, ClusterState c, SessionTable sessions, long now) {
        ParseVerdict v = FrameParser.parse(seg, addr, len, pf);
        if (v != ParseVerdict.OK) {
            return drop(DropReason.of(v));
        }
        if (pf.protocol != FrameParser.IPPROTO_UDP || pf.fragment || pf.dstPort != c.tunnelPort) {
            return drop(DropReason.UPLINK_NOT_TUNNEL);
        }
        long l4 = addr + pf.l4Offset;
        int udpLen = Bytes.u16(seg, l4 + 4);
        if (udpLen < 8 || pf.l4Offset + udpLen > pf.l3Offset + pf.ipPacketLength) {
            return drop(DropReason.TUNNEL_MALFORMED);
        }
        long wg = l4 + 8;
        int wlen = udpLen - 8;
        if (wlen < 4) {
            return drop(DropReason.TUNNEL_MALFORMED);
        }
        int type = TransportData.typeWord(seg, wg);
        boolean clear = type == TransportData.AUTHENTICATED_TYPE;
        if (type != TransportData.MESSAGE_TYPE && !clear) {
            return drop(type >= 1 && type <= 3 ? DropReason.TUNNEL_NOT_DATA : DropReason.TUNNEL_MALFORMED);
        }
        Session s = null;
        Keypair kp = null;
        if (wlen >= TransportData.OVERHEAD) {
            int index = TransportData.receiverIndex(seg, wg);
            int slot = sessions.findIndex(index);
            if (slot != SessionTable.NONE) {
                s = sessions.get(slot);
                kp = s.receiveKeypair(index);
            }
        }
        int n = clear ? opener.openAuthenticated(kp, seg, wg, wlen, now) : opener.open(kp, seg, wg, wlen, now);
        if (n < 0) {
            return drop(openDrop(-n));
        }
        if (n == 0) {
            return KEEPALIVE;
        }
        long inner = wg + TransportData.PAYLOAD_OFFSET;
        long e = inner - FrameParser.ETH_HLEN;
        int version = Bytes.u8(seg, inner) >>> 4;
        Bytes.put16(seg, e + 12, version == 4 ? FrameParser.ETH_P_IP : FrameParser.ETH_P_IPV6);
        if (FrameParser.parse(seg, e, n + FrameParser.ETH_HLEN, pf) != ParseVerdict.OK) {
            return drop(DropReason.INNER_MALFORMED);
        }
        EndpointTable table = c.table;
        int srcEp = table.lookup(pf.srcHi, pf.srcLo);
        if (srcEp == EndpointTable.MISS || table.identityOf(srcEp) != s.remoteIdentity
                || table.nodeOf(srcEp) != s.remoteNode) {
            return drop(DropReason.INNER_SPOOFED_SOURCE);
        }
        int dstEp = table.lookup(pf.dstHi, pf.dstLo);
        if (dstEp == EndpointTable.MISS || table.identityOf(dstEp) != s.localIdentity || !table.isLocal(dstEp)) {
            return drop(DropReason.INNER_WRONG_DESTINATION);
        }
        verdict = c.policy.verdictOrdinal(s.remoteIdentity, s.localIdentity);
        if (verdict == Verdict.DENY.ordinal()) {
            return drop(DropReason.POLICY_DENY);
        }
        // Fail closed: clear text is taken only where this node's policy says auth, never for encrypt.
        if (clear && verdict != Verdict.AUTH.ordinal()) {
            return drop(DropReason.TUNNEL_CLEAR_NOT_ALLOWED);
        }
        dstEndpoint = dstEp;
        ethOffset = e;
        frameLen = FrameParser.ETH_HLEN + pf.ipPacketLength;
        return DELIVER;
    }

    /**
     * {@link #decode} for a message that arrived as a descriptor chain (an uplink MTU larger than a
     * UMEM frame): its pieces are gathered into the scratch and decided there as one frame, so
     * {@link #ethOffset} is then an offset into {@code scratch.seg}. A chain larger than the
     * scratch is dropped ({@link DropReason#MTU_EXCEEDED}). The chain's frames are untouched.
     */
    public int decodeChain(Chain chain, Scratch scratch, ClusterState c, SessionTable sessions, long now) {
        int total = chain.total();
        if (total > scratch.size) {
            return drop(DropReason.MTU_EXCEEDED);
        }
        chain.copy(0, scratch.base, total);
        return decode(scratch.seg, 0, total, c, sessions, now);
    }

    static DropReason openDrop(int status) {
        return switch (status) {
            case OpenStatus.UNKNOWN_INDEX -> DropReason.TUNNEL_UNKNOWN_INDEX;
            case OpenStatus.REPLAY -> DropReason.TUNNEL_REPLAY;
            case OpenStatus.COUNTER_LIMIT -> DropReason.TUNNEL_COUNTER_LIMIT;
            case OpenStatus.AUTH_FAILED -> DropReason.TUNNEL_AUTH_FAILED;
            case OpenStatus.KEYPAIR_EXPIRED -> DropReason.TUNNEL_KEY_EXPIRED;
            case OpenStatus.BAD_INNER_PACKET -> DropReason.INNER_MALFORMED;
            case OpenStatus.NOT_ALIGNED -> DropReason.TUNNEL_NOT_ALIGNED;
            case OpenStatus.WRONG_THREAD -> DropReason.TUNNEL_WRONG_THREAD;
            default -> DropReason.TUNNEL_MALFORMED;
        };
    }
}
