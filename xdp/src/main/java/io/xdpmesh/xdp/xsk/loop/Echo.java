package io.xdpmesh.xdp.xsk.loop;

import io.xdpmesh.xdp.sys.XdpAbi;
import io.xdpmesh.xdp.xsk.FrameStack;
import io.xdpmesh.xdp.xsk.RxRing;
import io.xdpmesh.xdp.xsk.TxRing;
import io.xdpmesh.xdp.xsk.XskSocket;

/**
 * Answers IPv4 ICMP echo requests and UDP datagrams to one port (swapping addresses and ports, so
 * the sender gets its payload back) in place; every other frame is dropped and counted.
 * A packet that arrived as a descriptor chain (XDP_USE_SG) is answered as a chain: the headers
 * are in its first fragment, the UDP checksum covers all of them.
 */
public final class Echo extends Forwarder {
    private final XskSocket socket;
    private final FrameStack frames;
    private final long base;
    private final int udpPort;
    private long icmpEchoes;
    private long udpEchoes;

    public Echo(XskSocket socket, FrameStack frames, int batch, int udpPort) {
        super(batch);
        this.socket = socket;
        this.frames = frames;
        this.base = socket.umem().address();
        this.udpPort = udpPort;
        recycle(socket, frames); // fill ring primed before the first frame can arrive
    }

    @Override
    public int doWork() {
        RxRing rx = socket.rx();
        TxRing tx = socket.tx();
        int n = take(rx, tx);
        int sent = 0;
        if (n > 0) {
            int r = rx.peekedStart();
            int t = tx.reservedStart();
            int first = 0;
            while (first < n) {
                int last = first;
                long bytes = rx.len(r + first);
                while (rx.continues(r + last)) { // take() hands over whole chains only
                    last++;
                    bytes += rx.len(r + last);
                }
                received(last - first + 1);
                rxBytes += bytes;
                if (answer(rx, r + first, r + last, bytes)) {
                    for (int i = first; i <= last; i++) {
                        tx.desc(t + sent++, rx.addr(r + i), rx.len(r + i), rx.options(r + i) & XdpAbi.XDP_PKT_CONTD);
                    }
                    txPackets++;
                } else {
                    dropped++;
                    for (int i = first; i <= last; i++) {
                        frames.free(rx.addr(r + i));
                    }
                }
                first = last + 1;
            }
            tx.cancel(n - sent);
            tx.submit(sent);
            rx.release(n);
        }
        kickTx(socket);
        recycle(socket, frames);
        return n;
    }

    /**
     * Turns the packet in descriptors first..last (totalLen bytes) into its answer in place; false
     * when it is not something we answer.
     */
    private boolean answer(RxRing rx, int first, int last, long totalLen) {
        long f = base + rx.addr(first);
        int len = rx.len(first);
        if (len < Frames.ETH_HLEN + Frames.IP4_HLEN + 8 || Frames.be16(f + 12) != Frames.ETH_P_IP) {
            return false;
        }
        long ip = f + Frames.ETH_HLEN;
        int vihl = Frames.u8(ip);
        int ihl = (vihl & 0xf) * 4;
        if ((vihl >>> 4) != 4 || ihl < Frames.IP4_HLEN || len < Frames.ETH_HLEN + ihl + 8
                || (Frames.be16(ip + 6) & 0x3fff) != 0) { // fragments are not ours to answer
            return false;
        }
        int proto = Frames.u8(ip + 9);
        long l4 = ip + ihl;
        if (proto == Frames.IPPROTO_ICMP) {
            if (Frames.u8(l4) != 8 || Frames.u8(l4 + 1) != 0) {
                return false;
            }
            Frames.put8(l4, 0);
            // RFC 1624: HC' = ~(~HC + ~m + m'), m = 0x0800 (type 8 code 0), m' = 0
            int sum = (~Frames.be16(l4 + 2) & 0xffff) + (~0x0800 & 0xffff);
            sum = (sum & 0xffff) + (sum >>> 16);
            sum = (sum & 0xffff) + (sum >>> 16);
            Frames.putBe16(l4 + 2, ~sum & 0xffff);
            icmpEchoes++;
        } else if (proto == Frames.IPPROTO_UDP && Frames.be16(l4 + 2) == udpPort) {
            int ulen = Frames.be16(l4 + 4);
            if (ulen < Frames.UDP_HLEN || (l4 - f) + ulen > totalLen) {
                return false;
            }
            int sp = Frames.be16(l4);
            Frames.putBe16(l4, udpPort);
            Frames.putBe16(l4 + 2, sp);
            if (Frames.be16(l4 + 6) != 0) {
                // A sender on veth may have left only the pseudo-header sum ("checksum offload"):
                // recompute the whole checksum rather than trust the field.
                Frames.putBe16(l4 + 6, 0);
                int c = udpChecksum(rx, first, last, ip, l4, ulen);
                Frames.putBe16(l4 + 6, c == 0 ? 0xffff : c);
            }
            udpEchoes++;
        } else {
            return false;
        }
        int src = Frames.be32(ip + 12);
        Frames.putBe32(ip + 12, Frames.be32(ip + 16));
        Frames.putBe32(ip + 16, src);
        Frames.put8(ip + 8, 64);
        // TTL changed: recompute the header checksum (20-60 bytes, cheap)
        Frames.putBe16(ip + 10, 0);
        Frames.putBe16(ip + 10, Frames.checksum(ip, ihl, 0));
        Frames.swapMacs(f);
        return true;
    }

    /** UDP checksum over ulen bytes from l4, which may continue in the chain's later fragments. */
    private int udpChecksum(RxRing rx, int first, int last, long ip, long l4, int ulen) {
        long f = base + rx.addr(first);
        int piece = (int) Math.min(ulen, rx.len(first) - (l4 - f));
        long total = Frames.be16(ip + 12) + Frames.be16(ip + 14) + Frames.be16(ip + 16) + Frames.be16(ip + 18)
                + Frames.IPPROTO_UDP + ulen + Frames.sum(l4, piece);
        long done = piece;
        for (int i = first + 1; i <= last && done < ulen; i++) {
            piece = (int) Math.min(ulen - done, rx.len(i));
            total = Frames.addAt(total, Frames.sum(base + rx.addr(i), piece), done);
            done += piece;
        }
        return Frames.fold(total);
    }

    public long icmpEchoes() {
        return icmpEchoes;
    }

    public long udpEchoes() {
        return udpEchoes;
    }

    @Override
    public String roleName() {
        return "xsk-echo";
    }
}
