package io.xdpmesh.dataplane.packet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Test frames (Ethernet + IPv4/IPv6 + TCP) built byte by byte, and checksums verified by a plain
 * RFC 1071 sum over byte arrays: independent of {@link Checksums}.
 */
final class TcpFrames {
    static final int ACK = 0x10;
    static final int PSH = 0x08;
    static final int FIN = 0x01;
    static final int CWR = 0x80;

    private TcpFrames() {}

    /** Header description of a test segment. */
    record Spec(int version, int seq, int ack, int flags, int window, boolean timestamps, int tsval, int ipId) {
        Spec withSeq(int s) {
            return new Spec(version, s, ack, flags, window, timestamps, tsval, ipId);
        }

        Spec withFlags(int f) {
            return new Spec(version, seq, ack, f, window, timestamps, tsval, ipId);
        }

        Spec withTsval(int t) {
            return new Spec(version, seq, ack, flags, window, timestamps, t, ipId);
        }

        int ipHeader() {
            return version == 4 ? 20 : 40;
        }

        int tcpHeader() {
            return timestamps ? 32 : 20;
        }

        int headers() {
            return 14 + ipHeader() + tcpHeader();
        }
    }

    /** The frame bytes; the TCP checksum is correct when {@code validChecksum}, else left partial-looking. */
    static byte[] frame(Spec s, byte[] payload, boolean validChecksum) {
        int ipLen = s.ipHeader() + s.tcpHeader() + payload.length;
        byte[] b = new byte[14 + ipLen];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (0x02 + i);
            b[6 + i] = (byte) (0x12 + i);
        }
        int ip = 14;
        if (s.version == 4) {
            put16(b, 12, 0x0800);
            b[ip] = 0x45;
            b[ip + 1] = 0x10;
            put16(b, ip + 2, ipLen);
            put16(b, ip + 4, s.ipId);
            put16(b, ip + 6, 0x4000);
            b[ip + 8] = 64;
            b[ip + 9] = 6;
            put32(b, ip + 12, 0x0a010101);
            put32(b, ip + 16, 0x0a020101);
            put16(b, ip + 10, ~fold(sum(b, ip, 20, 0)) & 0xffff);
        } else {
            put16(b, 12, 0x86dd);
            put32(b, ip, 0x60012345);
            put16(b, ip + 4, ipLen - 40);
            b[ip + 6] = 6;
            b[ip + 7] = 64;
            for (int i = 0; i < 16; i++) {
                b[ip + 8 + i] = (byte) (0xfd + i);
                b[ip + 24 + i] = (byte) (0x20 + i);
            }
        }
        int t = ip + s.ipHeader();
        put16(b, t, 40000);
        put16(b, t + 2, 5201);
        put32(b, t + 4, s.seq);
        put32(b, t + 8, s.ack);
        b[t + 12] = (byte) ((s.tcpHeader() / 4) << 4);
        b[t + 13] = (byte) s.flags;
        put16(b, t + 14, s.window);
        if (s.timestamps) {
            put32(b, t + 20, 0x0101080a);
            put32(b, t + 24, s.tsval);
            put32(b, t + 28, 0x77777777);
        }
        System.arraycopy(payload, 0, b, s.headers(), payload.length);
        put16(b, t + 16, validChecksum ? tcpChecksum(b, 14) : 0x1234);
        return b;
    }

    /** TCP checksum field value for the packet at ip (as if the field were 0). */
    static int tcpChecksum(byte[] b, int ip) {
        int version = (b[ip] & 0xff) >>> 4;
        int ihl;
        int tcpLen;
        long pseudo;
        if (version == 4) {
            ihl = (b[ip] & 0xf) * 4;
            tcpLen = u16(b, ip + 2) - ihl;
            pseudo = sum(b, ip + 12, 8, 0) + 6 + tcpLen;
        } else {
            ihl = 40;
            tcpLen = u16(b, ip + 4);
            pseudo = sum(b, ip + 8, 32, 0) + 6 + tcpLen;
        }
        int t = ip + ihl;
        int saved = u16(b, t + 16);
        put16(b, t + 16, 0);
        int c = ~fold(sum(b, t, tcpLen, pseudo)) & 0xffff;
        put16(b, t + 16, saved);
        return c;
    }

    static boolean tcpChecksumValid(byte[] b, int ip) {
        int t = ip + ((b[ip] & 0xff) >>> 4 == 4 ? (b[ip] & 0xf) * 4 : 40);
        return tcpChecksum(b, ip) == u16(b, t + 16);
    }

    static boolean ipv4HeaderValid(byte[] b, int ip) {
        return fold(sum(b, ip, (b[ip] & 0xf) * 4, 0)) == 0xffff;
    }

    static long sum(byte[] b, int off, int len, long initial) {
        long s = initial;
        for (int i = 0; i + 1 < len; i += 2) {
            s += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        }
        if ((len & 1) != 0) {
            s += (b[off + len - 1] & 0xff) << 8;
        }
        return s;
    }

    static int fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    static int u16(byte[] b, int o) {
        return ((b[o] & 0xff) << 8) | (b[o + 1] & 0xff);
    }

    static int u32(byte[] b, int o) {
        return (u16(b, o) << 16) | u16(b, o + 2);
    }

    static void put16(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 8);
        b[o + 1] = (byte) v;
    }

    static void put32(byte[] b, int o, int v) {
        put16(b, o, v >>> 16);
        put16(b, o + 2, v);
    }

    static void write(MemorySegment mem, long off, byte[] b) {
        MemorySegment.copy(b, 0, mem, ValueLayout.JAVA_BYTE, off, b.length);
    }

    static byte[] read(MemorySegment mem, long off, int len) {
        byte[] b = new byte[len];
        MemorySegment.copy(mem, ValueLayout.JAVA_BYTE, off, b, 0, len);
        return b;
    }
}
