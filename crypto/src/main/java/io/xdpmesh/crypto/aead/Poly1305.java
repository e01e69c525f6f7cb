package io.xdpmesh.crypto.aead;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Poly1305 (RFC 8439 §2.5) over a memory region, in radix 2^64 (three limbs, the top one tiny), with
 * every 16-byte block carrying the 2^128 bit: the AEAD pads the ciphertext with zeros, so a short
 * last block is padded and then treated as full. Carries are computed with bit arithmetic, not
 * comparisons, so that nothing branches on secret data. One instance is reused for every packet.
 */
final class Poly1305 {
    static final ValueLayout.OfLong LE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    long h0, h1, h2; // Poly1305x8 reads and writes the state
    long r0, r1;
    private long s1;
    private long pad0, pad1;

    /** Starts a new message with the one-time key (r from the first 16 bytes, s from the last 16). */
    void init(long k0, long k1, long k2, long k3) {
        r0 = k0 & 0x0FFFFFFC0FFFFFFFL;
        r1 = k1 & 0x0FFFFFFC0FFFFFFCL;
        s1 = r1 + (r1 >>> 2); // r1 * 5/4: 2^128 = 5/4 mod p, exact because clamping clears r1's low bits
        pad0 = k2;
        pad1 = k3;
        h0 = 0;
        h1 = 0;
        h2 = 0;
    }

    /**
     * Messages of at least {@link #X4_MIN_BYTES} go to {@link Poly1305x4} (4 lanes, 256-bit, 64-byte
     * chunks); the rest, and every tail, one block at a time (~29 cycles per block, latency-bound).
     * {@link Poly1305x8} (8 lanes, 512-bit) is the faster path on its own at 512 B and up, but measured
     * in one process with the 4-lane path it ran 2.5x slower (thread CPU time, 1420 B: 660 vs 267 ns),
     * so it only takes over at {@link #X8_MIN_BYTES}: lengths the factory sends to OpenSSL anyway.
     */
    static final int X8_MIN_BYTES = PacketAeads.VECTOR_BELOW;
    static final int X4_MIN_BYTES = 128;
    private final Poly1305x8 x8 = LongVectorCheck.SUPPORTED ? new Poly1305x8() : null;
    private final Poly1305x4 x4 = LongVectorCheck.SUPPORTED ? new Poly1305x4() : null;

    /** Clears all state, including the vector path's powers of the last key. */
    void wipe() {
        h0 = h1 = h2 = 0;
        r0 = r1 = s1 = pad0 = pad1 = 0;
        if (x8 != null) {
            x8.wipe();
            x4.wipe();
        }
    }

    /** Absorbs [p, end), zero-padding a short tail to 16 bytes. */
    void blocks(MemorySegment seg, long p, long end) {
        long n = end - p;
        if (x8 != null && n >= X8_MIN_BYTES) {
            long chunks = n >>> 7;
            x8.absorb(this, seg, p, chunks);
            p += chunks << 7;
        } else if (x4 != null && n >= X4_MIN_BYTES) {
            long chunks = n >>> 6;
            x4.absorb(this, seg, p, chunks);
            p += chunks << 6;
        }
        scalarBlocks(seg, p, end);
    }

    /** One block at a time (Horner), zero-padding a short tail to 16 bytes. */
    void scalarBlocks(MemorySegment seg, long p, long end) {
        long a0 = h0, a1 = h1, a2 = h2;
        final long q0 = r0, q1 = r1, t1 = s1;
        while (true) {
            long m0, m1;
            long left = end - p;
            if (left >= 16) {
                m0 = seg.get(LE64, p);
                m1 = seg.get(LE64, p + 8);
            } else if (left > 0) {
                m0 = 0;
                m1 = 0;
                for (int i = (int) left - 1; i >= 0; i--) {
                    long b = seg.get(ValueLayout.JAVA_BYTE, p + i) & 0xFFL;
                    if (i >= 8) {
                        m1 |= b << ((i - 8) << 3);
                    } else {
                        m0 |= b << (i << 3);
                    }
                }
            } else {
                break;
            }
            p += 16;
            // h += m + 2^128
            long x0 = a0 + m0;
            long c = ((a0 & m0) | ((a0 | m0) & ~x0)) >>> 63;
            long y1 = a1 + m1;
            long c1 = ((a1 & m1) | ((a1 | m1) & ~y1)) >>> 63;
            long x1 = y1 + c;
            c1 += (y1 & ~x1) >>> 63;
            long x2 = a2 + 1 + c1;
            // d = h * r mod 2^130-5 (partially), see class comment for the folding of r1
            long d0 = x0 * q0;
            long d0h = Math.unsignedMultiplyHigh(x0, q0);
            long u = x1 * t1;
            long uh = Math.unsignedMultiplyHigh(x1, t1);
            long e0 = d0 + u;
            d0h += uh + (((d0 & u) | ((d0 | u) & ~e0)) >>> 63);
            long d1 = x0 * q1;
            long d1h = Math.unsignedMultiplyHigh(x0, q1);
            long v = x1 * q0;
            long vh = Math.unsignedMultiplyHigh(x1, q0);
            long e1 = d1 + v;
            d1h += vh + (((d1 & v) | ((d1 | v) & ~e1)) >>> 63);
            long w = x2 * t1 + d0h; // x2 <= 7 and t1 < 2^61: no overflow; d0h < 2^62
            long f1 = e1 + w;
            d1h += ((e1 & w) | ((e1 | w) & ~f1)) >>> 63;
            long d2 = x2 * q0 + d1h;
            // fold everything above 2^130 back in, times 5
            long cc = (d2 & ~3L) + (d2 >>> 2);
            a2 = d2 & 3L;
            a0 = e0 + cc;
            long k = ((e0 & cc) | ((e0 | cc) & ~a0)) >>> 63;
            a1 = f1 + k;
            a2 += (f1 & ~a1) >>> 63;
        }
        h0 = a0;
        h1 = a1;
        h2 = a2;
    }

    /**
     * Absorbs the AEAD length block (no AAD), leaves the tag in {@link #tag0}/{@link #tag1} and, when
     * {@code out} is not null, writes it there. Clears the key.
     */
    void finishAead(long ciphertextLen, MemorySegment out, long outOff) {
        lengthBlock(ciphertextLen);
        finish(out, outOff);
    }

    private void finish(MemorySegment out, long outOff) {
        long a0 = h0, a1 = h1, a2 = h2;
        long cc = (a2 & ~3L) + (a2 >>> 2);
        a2 &= 3L;
        long b0 = a0 + cc;
        long k = ((a0 & cc) | ((a0 | cc) & ~b0)) >>> 63;
        long b1 = a1 + k;
        a2 += (a1 & ~b1) >>> 63;
        // h < 2p now; subtract p when h >= p, without a branch
        long g0 = b0 + 5;
        long g = (b0 & ~g0) >>> 63;
        long g1 = b1 + g;
        g = (b1 & ~g1) >>> 63;
        long g2 = a2 + g - 4;
        long keep = g2 >> 63; // all ones: h < p
        b0 = (b0 & keep) | (g0 & ~keep);
        b1 = (b1 & keep) | (g1 & ~keep);
        long t0 = b0 + pad0;
        long c = ((b0 & pad0) | ((b0 | pad0) & ~t0)) >>> 63;
        long t1 = b1 + pad1 + c;
        tag0 = t0;
        tag1 = t1;
        if (out != null) {
            out.set(LE64, outOff, t0);
            out.set(LE64, outOff + 8, t1);
        }
        h0 = h1 = h2 = 0;
        r0 = r1 = s1 = pad0 = pad1 = 0;
    }

    long tag0, tag1;

    private void lengthBlock(long ciphertextLen) {
        // le64(aad length) || le64(ciphertext length); the AAD path (tests only) sets aadLength
        block(aadLength, ciphertextLen, 1);
        aadLength = 0;
    }

    long aadLength;

    /** One block outside the hot loop: h = (h + m + hibit * 2^128) * r. */
    void block(long m0, long m1, long hibit) {
        long a0 = h0, a1 = h1, a2 = h2;
        long x0 = a0 + m0;
        long c = ((a0 & m0) | ((a0 | m0) & ~x0)) >>> 63;
        long y1 = a1 + m1;
        long c1 = ((a1 & m1) | ((a1 | m1) & ~y1)) >>> 63;
        long x1 = y1 + c;
        c1 += (y1 & ~x1) >>> 63;
        long x2 = a2 + hibit + c1;
        long d0 = x0 * r0;
        long d0h = Math.unsignedMultiplyHigh(x0, r0);
        long u = x1 * s1;
        long uh = Math.unsignedMultiplyHigh(x1, s1);
        long e0 = d0 + u;
        d0h += uh + (((d0 & u) | ((d0 | u) & ~e0)) >>> 63);
        long d1 = x0 * r1;
        long d1h = Math.unsignedMultiplyHigh(x0, r1);
        long v = x1 * r0;
        long vh = Math.unsignedMultiplyHigh(x1, r0);
        long e1 = d1 + v;
        d1h += vh + (((d1 & v) | ((d1 | v) & ~e1)) >>> 63);
        long w = x2 * s1 + d0h;
        long f1 = e1 + w;
        d1h += ((e1 & w) | ((e1 | w) & ~f1)) >>> 63;
        long d2 = x2 * r0 + d1h;
        long cc = (d2 & ~3L) + (d2 >>> 2);
        a2 = d2 & 3L;
        a0 = e0 + cc;
        long k = ((e0 & cc) | ((e0 | cc) & ~a0)) >>> 63;
        a1 = f1 + k;
        a2 += (f1 & ~a1) >>> 63;
        h0 = a0;
        h1 = a1;
        h2 = a2;
    }

    /** Plain RFC 8439 §2.5 MAC of a whole message (a short last block gets a 0x01 byte, not 2^128). */
    static void mac(byte[] key32, byte[] msg, byte[] tag16) {
        MemorySegment k = MemorySegment.ofArray(key32);
        Poly1305 p = new Poly1305();
        p.init(k.get(LE64, 0), k.get(LE64, 8), k.get(LE64, 16), k.get(LE64, 24));
        MemorySegment m = MemorySegment.ofArray(msg);
        int full = msg.length & ~15;
        p.blocks(m, 0, full);
        if (full < msg.length) {
            byte[] last = new byte[16];
            System.arraycopy(msg, full, last, 0, msg.length - full);
            last[msg.length - full] = 1;
            MemorySegment l = MemorySegment.ofArray(last);
            p.block(l.get(LE64, 0), l.get(LE64, 8), 0);
        }
        p.finish(MemorySegment.ofArray(tag16), 0);
    }

}
