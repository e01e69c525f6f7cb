package io.xdpmesh.dataplane.packet;

import io.xdpmesh.dataplane.parse.FrameParser;
import io.xdpmesh.dataplane.parse.ParsedFrame;

/**
 * Receive coalescing in software (what GRO does), for frames the tunnel delivers to pods: within
 * one RX batch, consecutive in-order TCP segments of one flow become one large frame, sent to the
 * pod as a descriptor chain without copying (the first segment whole, then the payload of each
 * following one, where it lies in its own UMEM frame). A segment joins the open frame of its flow
 * only when: same port and 5-tuple, its sequence number continues the frame, same ACK number, same
 * flags (ACK, optionally ECE; PSH allowed and closing the frame), no IPv4 options or IPv6 extension
 * headers, same TOS/TTL/DF (IPv4) or first word/hop limit (IPv6), TCP options either none or only a
 * timestamp, byte for byte equal to the first segment's, and the result stays within the pod's MTU
 * and the descriptor bound. Everything else is sent as it came (after the open frame of its flow,
 * so order within a flow holds). {@link #flush()} at the end of each batch: no latency is added.
 *
 * <p>The merged TCP checksum is derived from the segments' own checksums (each segment's payload
 * sum is what its checksum field says it is), so the payload is not read again, and a segment
 * that arrived with a wrong checksum leaves the merged frame wrong too: the pod's stack drops it.
 * Single-threaded, allocation-free.
 */
public final class TcpCoalescer {
    /** Where finished packets go: descriptors addr[from..from+n) (UMEM addresses) as one packet. */
    public interface Sink {
        void send(int port, long[] addr, int[] len, int from, int n);
    }

    private static final int ACK = 0x10;
    private static final int PSH = 0x08;
    private static final int ECE = 0x40;
    private static final int TS_OPTION = 0x0101080a; // NOP NOP kind 8 length 10

    private final long base;
    private final int maxPieces;
    private final int slots;
    private final Sink sink;
    private final long[] addr;
    private final int[] len;
    private final int[] count;
    private final int[] port;
    private final int[] limit;
    private final int[] version;
    private final int[] l4;
    private final int[] thl;
    private final int[] ipLen;
    private final int[] payload;
    private final int[] nextSeq;
    private final int[] ack;
    private final int[] flags;
    private final int[] window;
    private final boolean[] push;
    private final long[] payloadSum;
    private final long[] srcHi;
    private final long[] srcLo;
    private final long[] dstHi;
    private final long[] dstLo;
    private final int[] ports;
    private final long[] ipKey;
    private final int[] l3;
    private final long[] single = new long[1];
    private final int[] singleLen = new int[1];
    private int open;
    private int victim;
    private long merged;
    private long frames;

    /**
     * @param base absolute address of UMEM offset 0
     * @param maxPieces the most descriptors one merged frame may have (the kernel's TX chain bound)
     * @param slots how many flows may be open at once within a batch
     */
    public TcpCoalescer(long base, int maxPieces, int slots, Sink sink) {
        if (maxPieces < 1 || slots < 1) {
            throw new IllegalArgumentException("maxPieces and slots must be positive");
        }
        this.base = base;
        this.maxPieces = maxPieces;
        this.slots = slots;
        this.sink = sink;
        addr = new long[slots * maxPieces];
        len = new int[slots * maxPieces];
        count = new int[slots];
        port = new int[slots];
        limit = new int[slots];
        version = new int[slots];
        l4 = new int[slots];
        thl = new int[slots];
        ipLen = new int[slots];
        payload = new int[slots];
        nextSeq = new int[slots];
        ack = new int[slots];
        flags = new int[slots];
        window = new int[slots];
        push = new boolean[slots];
        payloadSum = new long[slots];
        srcHi = new long[slots];
        srcLo = new long[slots];
        dstHi = new long[slots];
        dstLo = new long[slots];
        ports = new int[slots];
        ipKey = new long[slots];
        l3 = new int[slots];
    }

    /** Segments that joined an earlier one (so the pod saw that many fewer frames). */
    public long merged() {
        return merged;
    }

    /** Merged frames sent (of two or more segments). */
    public long mergedFrames() {
        return frames;
    }

    /**
     * Offers a frame for port (Ethernet header at UMEM address a, frameLen bytes, parsed into pf
     * with offsets from a); portMtu bounds the IP length of a merged frame.
     */
    public void offer(int portIndex, int portMtu, long a, int frameLen, ParsedFrame pf) {
        long f = base + a;
        int s = find(portIndex, pf);
        if (!candidate(pf, f, frameLen)) {
            if (s >= 0) {
                emit(s);
            }
            single[0] = a;
            singleLen[0] = frameLen;
            sink.send(portIndex, single, singleLen, 0, 1);
            return;
        }
        long tcp = f + pf.l4Offset;
        int h = TcpSegmenter.headerLength(tcp);
        int pay = pf.ipPacketLength - (pf.l4Offset - pf.l3Offset) - h;
        int fl = Mem.u8(tcp + 13);
        if (s >= 0 && joins(s, f, pf, tcp, h, pay, fl)) {
            int i = s * maxPieces + count[s];
            addr[i] = a + pf.l4Offset + h;
            len[i] = pay;
            count[s]++;
            int d = segmentPayloadSum(f, pf, tcp, h, pay);
            payloadSum[s] += (payload[s] & 1) == 0 ? d : Chain.swap(d);
            payload[s] += pay;
            ipLen[s] += pay;
            nextSeq[s] += pay;
            window[s] = Mem.be16(tcp + 14);
            merged++;
            if ((fl & PSH) != 0) {
                push[s] = true;
                emit(s);
            }
            return;
        }
        if (s >= 0) {
            emit(s);
        } else {
            s = freeSlot();
        }
        start(s, portIndex, portMtu, a, f, frameLen, pf, tcp, h, pay, fl);
        if ((fl & PSH) != 0) {
            emit(s);
        }
    }

    /** Sends every open frame (end of the RX batch). */
    public void flush() {
        for (int s = 0; s < slots; s++) {
            if (count[s] > 0) {
                emit(s);
            }
        }
    }

    private int find(int portIndex, ParsedFrame pf) {
        if (open == 0) {
            return -1;
        }
        int p = (pf.srcPort << 16) | pf.dstPort;
        int notTcp = pf.protocol ^ FrameParser.IPPROTO_TCP;
        // One branch per slot, not a chain of &&: a condition never false during warm-up became an
        // uncommon trap, and the first segment that hit it deoptimized the inlined path (see FlowTable.record).
        for (int s = 0; s < slots; s++) {
            long diff = (srcLo[s] ^ pf.srcLo) | (dstLo[s] ^ pf.dstLo) | (srcHi[s] ^ pf.srcHi) | (dstHi[s] ^ pf.dstHi)
                    | (port[s] ^ portIndex) | (ports[s] ^ p) | ((count[s] - 1) >>> 31) | notTcp;
            if (diff == 0) {
                return s;
            }
        }
        return -1;
    }

    private int freeSlot() {
        for (int s = 0; s < slots; s++) {
            if (count[s] == 0) {
                return s;
            }
        }
        int s = victim;
        victim = (victim + 1) % slots;
        emit(s);
        return s;
    }

    /** A segment that can start or join a merged frame. */
    private static boolean candidate(ParsedFrame pf, long f, int frameLen) {
        if (pf.protocol != FrameParser.IPPROTO_TCP || pf.fragment || pf.l4Offset < 0
                || frameLen != pf.l3Offset + pf.ipPacketLength) {
            return false;
        }
        if (pf.l3HeaderLength != (pf.ipVersion == 4 ? 20 : 40)) {
            return false;
        }
        long tcp = f + pf.l4Offset;
        int h = TcpSegmenter.headerLength(tcp);
        if (h != 20 && (h != 32 || Mem.be32(tcp + 20) != TS_OPTION)) {
            return false;
        }
        if (pf.l4Offset + h >= frameLen) {
            return false; // no payload (pure ACK) or a header longer than the packet
        }
        return (Mem.u8(tcp + 13) & ~(PSH | ECE)) == ACK;
    }

    private static long ipKey(long f, ParsedFrame pf) {
        long ip = f + pf.l3Offset;
        if (pf.ipVersion == 4) {
            return (Mem.u8(ip + 1) << 16) | (Mem.u8(ip + 6) & 0x40) << 8 | Mem.u8(ip + 8); // TOS, DF, TTL
        }
        return (Mem.be32(ip) & 0xffffffffL) << 8 | Mem.u8(ip + 7); // version/class/flow label, hop limit
    }

    private boolean joins(int s, long f, ParsedFrame pf, long tcp, int h, int pay, int fl) {
        if (push[s] || count[s] == maxPieces || h != thl[s] || pf.ipVersion != version[s]
                || ipLen[s] + pay > limit[s] || Mem.be32(tcp + 4) != nextSeq[s] || Mem.be32(tcp + 8) != ack[s]
                || (fl & ~PSH) != flags[s] || ipKey(f, pf) != ipKey[s] || pf.l3Offset != l3[s]) {
            return false;
        }
        if (h > 20) {
            long head = base + addr[s * maxPieces] + l4[s];
            for (int o = 20; o < h; o += 4) {
                if (Mem.be32(head + o) != Mem.be32(tcp + o)) {
                    return false;
                }
            }
        }
        return true;
    }

    private void start(int s, int portIndex, int portMtu, long a, long f, int frameLen, ParsedFrame pf, long tcp,
            int h, int pay, int fl) {
        int i = s * maxPieces;
        addr[i] = a;
        len[i] = frameLen;
        count[s] = 1;
        open++;
        port[s] = portIndex;
        limit[s] = Math.min(portMtu, 65535);
        version[s] = pf.ipVersion;
        l3[s] = pf.l3Offset;
        l4[s] = pf.l4Offset;
        thl[s] = h;
        ipLen[s] = pf.ipPacketLength;
        payload[s] = pay;
        nextSeq[s] = Mem.be32(tcp + 4) + pay;
        ack[s] = Mem.be32(tcp + 8);
        flags[s] = fl & ~PSH;
        window[s] = Mem.be16(tcp + 14);
        push[s] = false;
        payloadSum[s] = segmentPayloadSum(f, pf, tcp, h, pay);
        srcHi[s] = pf.srcHi;
        srcLo[s] = pf.srcLo;
        dstHi[s] = pf.dstHi;
        dstLo[s] = pf.dstLo;
        ports[s] = (pf.srcPort << 16) | pf.dstPort;
        ipKey[s] = ipKey(f, pf);
    }

    /** The payload's one's-complement sum as the segment's checksum states it: -(pseudo + header). */
    private static int segmentPayloadSum(long f, ParsedFrame pf, long tcp, int h, int pay) {
        long ps = Checksums.pseudo(f + pf.l3Offset, pf.ipVersion, Checksums.PROTO_TCP, h + pay);
        return ~Checksums.fold(ps + Checksums.sum(tcp, h)) & 0xffff;
    }

    private void emit(int s) {
        int n = count[s];
        int i = s * maxPieces;
        if (n > 1) {
            long f = base + addr[i];
            long ip = f + l3[s];
            long tcp = f + l4[s];
            if (version[s] == 4) {
                Mem.putBe16(ip + 2, ipLen[s]);
                Checksums.ipv4Header(ip, 20);
            } else {
                Mem.putBe16(ip + 4, ipLen[s] - 40);
            }
            if (push[s]) {
                Mem.put8(tcp + 13, Mem.u8(tcp + 13) | PSH);
            }
            Mem.putBe16(tcp + 14, window[s]);
            Mem.putBe16(tcp + 16, 0);
            int tcpLen = ipLen[s] - (l4[s] - l3[s]);
            long sum = Checksums.pseudo(ip, version[s], Checksums.PROTO_TCP, tcpLen) + Checksums.sum(tcp, thl[s])
                    + Checksums.fold(payloadSum[s]);
            Mem.putBe16(tcp + 16, ~Checksums.fold(sum) & 0xffff);
            frames++;
        }
        count[s] = 0;
        open--;
        sink.send(port[s], addr, len, i, n);
    }
}
