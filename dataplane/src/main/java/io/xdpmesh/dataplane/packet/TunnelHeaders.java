package io.xdpmesh.dataplane.packet;

import java.nio.ByteBuffer;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The outer Ethernet + IPv4/IPv6 + UDP header toward each peer node, prebuilt as a template so
 * sealing a packet copies 42 or 62 bytes and patches lengths and checksums. The IPv4 UDP checksum
 * is 0 (allowed, and the WireGuard tag authenticates the payload); over IPv6 it is mandatory and
 * computed over the sealed message. Owned by one dataplane thread.
 */
public final class TunnelHeaders {
    public static final int ETH = 14;
    public static final int IP4 = 20;
    public static final int IP6 = 40;
    public static final int UDP = 8;
    public static final int V4_LEN = ETH + IP4 + UDP;
    public static final int V6_LEN = ETH + IP6 + UDP;
    private static final int SLOT = 64;

    private final UnsafeBuffer templates;
    private final long base;
    private final boolean[] v6;
    private final long[] builtMac;
    /** IPv4: the folded sum of the template's header with length, id and checksum 0. */
    private final int[] headerSum;
    private int ipId;

    public TunnelHeaders(int nodes) {
        ByteBuffer bb = BufferUtil.allocateDirectAligned(Math.max(1, nodes) * SLOT, 64);
        templates = new UnsafeBuffer(bb);
        base = templates.addressOffset();
        v6 = new boolean[Math.max(1, nodes)];
        builtMac = new long[Math.max(1, nodes)];
        headerSum = new int[Math.max(1, nodes)];
        java.util.Arrays.fill(builtMac, -1L);
    }

    public int nodes() {
        return v6.length;
    }

    /** The next-hop MAC the template for node was built with, or -1. */
    public long builtMac(int node) {
        return builtMac[node];
    }

    /**
     * (Re)builds node's template. src and dst are 4- or 16-byte addresses of the same family;
     * macs are 48-bit values. Allocation-free, so the dataplane can rebuild when a neighbour changes.
     */
    public void build(int node, long srcMac, long dstMac, byte[] src, byte[] dst, int srcPort, int dstPort) {
        long t = base + (long) node * SLOT;
        Mem.putMac(t, dstMac);
        Mem.putMac(t + 6, srcMac);
        boolean six = src.length == 16;
        v6[node] = six;
        if (!six) {
            Mem.putBe16(t + 12, 0x0800);
            long ip = t + ETH;
            Mem.putBe16(ip, 0x4500);
            Mem.putBe16(ip + 2, 0);
            Mem.putBe16(ip + 4, 0);
            Mem.putBe16(ip + 6, 0x4000); // DF: the pods' MTU leaves room, never fragment tunnel packets
            Mem.put8(ip + 8, 64);
            Mem.put8(ip + 9, Checksums.PROTO_UDP);
            Mem.putBe16(ip + 10, 0);
            for (int i = 0; i < 4; i++) {
                Mem.put8(ip + 12 + i, src[i]);
                Mem.put8(ip + 16 + i, dst[i]);
            }
            udp(ip + IP4, srcPort, dstPort);
            headerSum[node] = Checksums.sum(ip, IP4);
        } else {
            Mem.putBe16(t + 12, 0x86dd);
            long ip = t + ETH;
            Mem.putBe32(ip, 0x6000_0000);
            Mem.putBe16(ip + 4, 0);
            Mem.put8(ip + 6, Checksums.PROTO_UDP);
            Mem.put8(ip + 7, 64);
            for (int i = 0; i < 16; i++) {
                Mem.put8(ip + 8 + i, src[i]);
                Mem.put8(ip + 24 + i, dst[i]);
            }
            udp(ip + IP6, srcPort, dstPort);
        }
        builtMac[node] = dstMac;
    }

    private static void udp(long u, int srcPort, int dstPort) {
        Mem.putBe16(u, srcPort);
        Mem.putBe16(u + 2, dstPort);
        Mem.putBe16(u + 4, 0);
        Mem.putBe16(u + 6, 0);
    }

    /** Forgets every template (node addresses changed); each is rebuilt on its next use. */
    public void invalidateAll() {
        java.util.Arrays.fill(builtMac, -1L);
    }

    public boolean isV6(int node) {
        return v6[node];
    }

    /** Outer header length toward node. */
    public int headerLength(int node) {
        return v6[node] ? V6_LEN : V4_LEN;
    }

    /**
     * Writes node's outer header at frame (absolute address) for a WireGuard message of msgLen
     * bytes that already sits right after it; returns the frame length.
     */
    public int write(int node, long frame, int msgLen) {
        long t = base + (long) node * SLOT;
        if (!v6[node]) {
            Mem.copy(t, frame, V4_LEN);
            long ip = frame + ETH;
            int total = IP4 + UDP + msgLen;
            int id = ipId++ & 0xffff;
            Mem.putBe16(ip + 2, total);
            Mem.putBe16(ip + 4, id);
            // the template's sum plus the two words that vary: no pass over the header per packet
            Mem.putBe16(ip + 10, ~Checksums.fold((long) headerSum[node] + total + id) & 0xffff);
            Mem.putBe16(ip + IP4 + 4, UDP + msgLen);
            return V4_LEN + msgLen;
        }
        Mem.copy(t, frame, V6_LEN);
        long ip = frame + ETH;
        Mem.putBe16(ip + 4, UDP + msgLen);
        long u = ip + IP6;
        Mem.putBe16(u + 4, UDP + msgLen);
        long s = Checksums.pseudo(ip, 6, Checksums.PROTO_UDP, UDP + msgLen) + Checksums.sum(u, UDP + msgLen);
        int c = ~Checksums.fold(s) & 0xffff;
        Mem.putBe16(u + 6, c == 0 ? 0xffff : c);
        return V6_LEN + msgLen;
    }
}
