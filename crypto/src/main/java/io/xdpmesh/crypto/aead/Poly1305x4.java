package io.xdpmesh.crypto.aead;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Poly1305x8} on four lanes of 256-bit vectors, for short messages: lane j accumulates blocks
 * j, j+4, ..., each step multiplying by r^4; at the end lane j is multiplied by r^(4-j) and the lanes
 * are summed. Same radix 2^26, same bounds. Two levels of powers instead of three, and 256-bit
 * multiplies and adds issue on three ports instead of two: for a 256-byte WireGuard packet it
 * costs fewer vector uops than the 8-lane path (the lane work, not the latency, is what limits it).
 */
final class Poly1305x4 {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_256;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final long M = 0x3FFFFFFL;
    // x.and(W).mul(y.and(W)), both sides masked, is the shape C2 turns into vpmuludq (JDK-8341137);
    // a plain mul is vpmullq (3 uops, latency 15)
    private static final long W = 0xFFFFFFFFL;
    private static final LongVector EVEN = LongVector.fromArray(L, new long[] {0, 2, 4, 6}, 0);
    private static final LongVector ODD = LongVector.fromArray(L, new long[] {1, 3, 5, 7}, 0);
    private static final VectorMask<Long> LANE0 = VectorMask.fromLong(L, 1);
    private static final VectorMask<Long> ODD_LANES = VectorMask.fromLong(L, 0b1010);
    private static final VectorMask<Long> HIGH_HALF = VectorMask.fromLong(L, 0b1100);
    private static final LongVector ONE = LongVector.broadcast(L, 1);
    private static final LongVector ZERO = LongVector.zero(L);
    private static final VectorShuffle<Long> BCAST0 = VectorShuffle.fromArray(L, new int[4], 0);

    private final long[] pow = new long[20]; // lanes [r^4, ..., r^1], five limb vectors at 0, 4, ..., 16
    private final long[] acc = new long[20]; // the lanes after the chunk loop

    /** Zeroes the scratch (powers of the last one-time key, its accumulator). */
    void wipe() {
        Arrays.fill(pow, 0);
        Arrays.fill(acc, 0);
    }

    /** Absorbs {@code chunks} * 64 bytes at {@code p} (full blocks, each with the 2^128 bit) into {@code st}. */
    void absorb(Poly1305 st, MemorySegment seg, long p, long chunks) {
        powers(st.r0, st.r1);
        run(st, seg, p, chunks);
        fold(st);
    }

    /**
     * Fills {@link #pow} with lanes [r^4, r^3, r^2, r]: r^2 = r*r; then [r^2, r^2, 1, 1] * [r^2, r, r^2, r].
     */
    private void powers(long ra, long rb) {

        LongVector v0 = LongVector.broadcast(L, ra & M), v1 = LongVector.broadcast(L, (ra >>> 26) & M),
                v2 = LongVector.broadcast(L, ((ra >>> 52) | (rb << 12)) & M), v3 = LongVector.broadcast(L, (rb >>> 14) & M),
                v4 = LongVector.broadcast(L, rb >>> 40);
        LongVector a0 = v0, a1 = v1, a2 = v2, a3 = v3, a4 = v4, b0 = v0, b1 = v1, b2 = v2, b3 = v3, b4 = v4;
        LongVector s1, s2, s3, s4, d0, d1, d2, d3, d4, c;
        a0 = a0.and(W); a1 = a1.and(W); a2 = a2.and(W); a3 = a3.and(W); a4 = a4.and(W);
        b0 = b0.and(W); b1 = b1.and(W); b2 = b2.and(W); b3 = b3.and(W); b4 = b4.and(W);
        s1 = b1.add(b1.lanewise(LSHL, 2)).and(W); s2 = b2.add(b2.lanewise(LSHL, 2)).and(W);
        s3 = b3.add(b3.lanewise(LSHL, 2)).and(W); s4 = b4.add(b4.lanewise(LSHL, 2)).and(W);
        d0 = a0.mul(b0).add(a1.mul(s4)).add(a2.mul(s3).add(a3.mul(s2))).add(a4.mul(s1));
        d1 = a0.mul(b1).add(a1.mul(b0)).add(a2.mul(s4).add(a3.mul(s3))).add(a4.mul(s2));
        d2 = a0.mul(b2).add(a1.mul(b1)).add(a2.mul(b0).add(a3.mul(s4))).add(a4.mul(s3));
        d3 = a0.mul(b3).add(a1.mul(b2)).add(a2.mul(b1).add(a3.mul(b0))).add(a4.mul(s4));
        d4 = a0.mul(b4).add(a1.mul(b3)).add(a2.mul(b2).add(a3.mul(b1))).add(a4.mul(b0));
        c = d0.lanewise(LSHR, 26); d0 = d0.and(M); d1 = d1.add(c);
        c = d3.lanewise(LSHR, 26); d3 = d3.and(M); d4 = d4.add(c);
        c = d1.lanewise(LSHR, 26); d1 = d1.and(M); d2 = d2.add(c);
        c = d4.lanewise(LSHR, 26); d4 = d4.and(M); d0 = d0.add(c).add(c.lanewise(LSHL, 2));
        c = d2.lanewise(LSHR, 26); d2 = d2.and(M); d3 = d3.add(c);
        c = d0.lanewise(LSHR, 26); d0 = d0.and(M); d1 = d1.add(c);
        c = d3.lanewise(LSHR, 26); d3 = d3.and(M); d4 = d4.add(c);
        // a = [r^2, r^2, 1, 1], b = [r^2, r, r^2, r]: d = [r^4, r^3, r^2, r]
        a0 = d0.blend(ONE, HIGH_HALF); a1 = d1.blend(ZERO, HIGH_HALF); a2 = d2.blend(ZERO, HIGH_HALF);
        a3 = d3.blend(ZERO, HIGH_HALF); a4 = d4.blend(ZERO, HIGH_HALF);
        b0 = d0.blend(v0, ODD_LANES); b1 = d1.blend(v1, ODD_LANES); b2 = d2.blend(v2, ODD_LANES);
        b3 = d3.blend(v3, ODD_LANES); b4 = d4.blend(v4, ODD_LANES);
        a0 = a0.and(W); a1 = a1.and(W); a2 = a2.and(W); a3 = a3.and(W); a4 = a4.and(W);
        b0 = b0.and(W); b1 = b1.and(W); b2 = b2.and(W); b3 = b3.and(W); b4 = b4.and(W);
        s1 = b1.add(b1.lanewise(LSHL, 2)).and(W); s2 = b2.add(b2.lanewise(LSHL, 2)).and(W);
        s3 = b3.add(b3.lanewise(LSHL, 2)).and(W); s4 = b4.add(b4.lanewise(LSHL, 2)).and(W);
        d0 = a0.mul(b0).add(a1.mul(s4)).add(a2.mul(s3).add(a3.mul(s2))).add(a4.mul(s1));
        d1 = a0.mul(b1).add(a1.mul(b0)).add(a2.mul(s4).add(a3.mul(s3))).add(a4.mul(s2));
        d2 = a0.mul(b2).add(a1.mul(b1)).add(a2.mul(b0).add(a3.mul(s4))).add(a4.mul(s3));
        d3 = a0.mul(b3).add(a1.mul(b2)).add(a2.mul(b1).add(a3.mul(b0))).add(a4.mul(s4));
        d4 = a0.mul(b4).add(a1.mul(b3)).add(a2.mul(b2).add(a3.mul(b1))).add(a4.mul(b0));
        c = d0.lanewise(LSHR, 26); d0 = d0.and(M); d1 = d1.add(c);
        c = d3.lanewise(LSHR, 26); d3 = d3.and(M); d4 = d4.add(c);
        c = d1.lanewise(LSHR, 26); d1 = d1.and(M); d2 = d2.add(c);
        c = d4.lanewise(LSHR, 26); d4 = d4.and(M); d0 = d0.add(c).add(c.lanewise(LSHL, 2));
        c = d2.lanewise(LSHR, 26); d2 = d2.and(M); d3 = d3.add(c);
        c = d0.lanewise(LSHR, 26); d0 = d0.and(M); d1 = d1.add(c);
        c = d3.lanewise(LSHR, 26); d3 = d3.and(M); d4 = d4.add(c);
        d0.intoArray(pow, 0);
        d1.intoArray(pow, 4);
        d2.intoArray(pow, 8);
        d3.intoArray(pow, 12);
        d4.intoArray(pow, 16);
    }

    /** The chunk loop into {@link #acc}: lane j accumulates blocks j, j+4, ..., each step times r^4 (h enters lane 0). */
    private void run(Poly1305 st, MemorySegment seg, long p, long chunks) {
        LongVector a0, a1, a2, a3, a4, d0, d1, d2, d3, d4, c;
        final LongVector p0 = LongVector.fromArray(L, pow, 0), p1 = LongVector.fromArray(L, pow, 4),
                p2 = LongVector.fromArray(L, pow, 8), p3 = LongVector.fromArray(L, pow, 12),
                p4 = LongVector.fromArray(L, pow, 16);
        // r^4 (lane 0) in every lane, and 5 * r^4
        final LongVector e0 = p0.rearrange(BCAST0).and(W), e1 = p1.rearrange(BCAST0).and(W),
                e2 = p2.rearrange(BCAST0).and(W), e3 = p3.rearrange(BCAST0).and(W), e4 = p4.rearrange(BCAST0).and(W);
        final LongVector t1 = e1.add(e1.lanewise(LSHL, 2)).and(W), t2 = e2.add(e2.lanewise(LSHL, 2)).and(W),
                t3 = e3.add(e3.lanewise(LSHL, 2)).and(W), t4 = e4.add(e4.lanewise(LSHL, 2)).and(W);
        final long ha = st.h0, hb = st.h1, hc = st.h2;
        LongVector v = LongVector.fromMemorySegment(L, seg, p, LE), w = LongVector.fromMemorySegment(L, seg, p + 32, LE);
        LongVector lo = EVEN.selectFrom(v, w), hi = ODD.selectFrom(v, w);
        a0 = lo.and(M).add(ha & M, LANE0);
        a1 = lo.lanewise(LSHR, 26).and(M).add((ha >>> 26) & M, LANE0);
        a2 = lo.lanewise(LSHR, 52).or(hi.lanewise(LSHL, 12)).and(M).add(((ha >>> 52) | (hb << 12)) & M, LANE0);
        a3 = hi.lanewise(LSHR, 14).and(M).add((hb >>> 14) & M, LANE0);
        a4 = hi.lanewise(LSHR, 40).or(1L << 24).add((hb >>> 40) | (hc << 24), LANE0);
        for (long k = 1; k < chunks; k++) {
            p += 64;
            a0 = a0.and(W); a1 = a1.and(W); a2 = a2.and(W); a3 = a3.and(W); a4 = a4.and(W);
            d0 = a0.mul(e0).add(a1.mul(t4)).add(a2.mul(t3)).add(a3.mul(t2)).add(a4.mul(t1));
            d1 = a0.mul(e1).add(a1.mul(e0)).add(a2.mul(t4)).add(a3.mul(t3)).add(a4.mul(t2));
            d2 = a0.mul(e2).add(a1.mul(e1)).add(a2.mul(e0)).add(a3.mul(t4)).add(a4.mul(t3));
            d3 = a0.mul(e3).add(a1.mul(e2)).add(a2.mul(e1)).add(a3.mul(e0)).add(a4.mul(t4));
            d4 = a0.mul(e4).add(a1.mul(e3)).add(a2.mul(e2)).add(a3.mul(e1)).add(a4.mul(e0));
            c = d0.lanewise(LSHR, 26); d0 = d0.and(M); d1 = d1.add(c);
            c = d3.lanewise(LSHR, 26); d3 = d3.and(M); d4 = d4.add(c);
            c = d1.lanewise(LSHR, 26); d1 = d1.and(M); d2 = d2.add(c);
            c = d4.lanewise(LSHR, 26); d4 = d4.and(M); d0 = d0.add(c).add(c.lanewise(LSHL, 2));
            c = d2.lanewise(LSHR, 26); d2 = d2.and(M); d3 = d3.add(c);
            c = d0.lanewise(LSHR, 26); d0 = d0.and(M); d1 = d1.add(c);
            c = d3.lanewise(LSHR, 26); d3 = d3.and(M); d4 = d4.add(c);
            v = LongVector.fromMemorySegment(L, seg, p, LE);
            w = LongVector.fromMemorySegment(L, seg, p + 32, LE);
            lo = EVEN.selectFrom(v, w);
            hi = ODD.selectFrom(v, w);
            a0 = d0.add(lo.and(M));
            a1 = d1.add(lo.lanewise(LSHR, 26).and(M));
            a2 = d2.add(lo.lanewise(LSHR, 52).or(hi.lanewise(LSHL, 12)).and(M));
            a3 = d3.add(hi.lanewise(LSHR, 14).and(M));
            a4 = d4.add(hi.lanewise(LSHR, 40).or(1L << 24));
        }
        a0.intoArray(acc, 0);
        a1.intoArray(acc, 4);
        a2.intoArray(acc, 8);
        a3.intoArray(acc, 12);
        a4.intoArray(acc, 16);
    }

    /** Lane j of {@link #acc} times r^(4-j), then the lane sum into st's radix-2^64 accumulator. */
    private void fold(Poly1305 st) {
        LongVector a0 = LongVector.fromArray(L, acc, 0), a1 = LongVector.fromArray(L, acc, 4), a2 = LongVector.fromArray(L, acc, 8),
                a3 = LongVector.fromArray(L, acc, 12), a4 = LongVector.fromArray(L, acc, 16);
        LongVector p0 = LongVector.fromArray(L, pow, 0).and(W), p1 = LongVector.fromArray(L, pow, 4).and(W),
                p2 = LongVector.fromArray(L, pow, 8).and(W), p3 = LongVector.fromArray(L, pow, 12).and(W),
                p4 = LongVector.fromArray(L, pow, 16).and(W);
        LongVector s1, s2, s3, s4, d0, d1, d2, d3, d4, c;
        a0 = a0.and(W); a1 = a1.and(W); a2 = a2.and(W); a3 = a3.and(W); a4 = a4.and(W);
        s1 = p1.add(p1.lanewise(LSHL, 2)).and(W); s2 = p2.add(p2.lanewise(LSHL, 2)).and(W);
        s3 = p3.add(p3.lanewise(LSHL, 2)).and(W); s4 = p4.add(p4.lanewise(LSHL, 2)).and(W);
        d0 = a0.mul(p0).add(a1.mul(s4)).add(a2.mul(s3)).add(a3.mul(s2)).add(a4.mul(s1));
        d1 = a0.mul(p1).add(a1.mul(p0)).add(a2.mul(s4)).add(a3.mul(s3)).add(a4.mul(s2));
        d2 = a0.mul(p2).add(a1.mul(p1)).add(a2.mul(p0)).add(a3.mul(s4)).add(a4.mul(s3));
        d3 = a0.mul(p3).add(a1.mul(p2)).add(a2.mul(p1)).add(a3.mul(p0)).add(a4.mul(s4));
        d4 = a0.mul(p4).add(a1.mul(p3)).add(a2.mul(p2)).add(a3.mul(p1)).add(a4.mul(p0));
        c = d0.lanewise(LSHR, 26); d0 = d0.and(M); d1 = d1.add(c);
        c = d3.lanewise(LSHR, 26); d3 = d3.and(M); d4 = d4.add(c);
        c = d1.lanewise(LSHR, 26); d1 = d1.and(M); d2 = d2.add(c);
        c = d4.lanewise(LSHR, 26); d4 = d4.and(M); d0 = d0.add(c).add(c.lanewise(LSHL, 2));
        c = d2.lanewise(LSHR, 26); d2 = d2.and(M); d3 = d3.add(c);
        c = d0.lanewise(LSHR, 26); d0 = d0.and(M); d1 = d1.add(c);
        c = d3.lanewise(LSHR, 26); d3 = d3.and(M); d4 = d4.add(c);
        // lane sums (each below 2^30): normalise, fold 2^130 = 5, normalise again, repack; h2 ends at most 4
        long f0 = d0.reduceLanes(ADD), f1 = d1.reduceLanes(ADD), f2 = d2.reduceLanes(ADD), f3 = d3.reduceLanes(ADD),
                f4 = d4.reduceLanes(ADD);
        f1 += f0 >>> 26; f0 &= M;
        f2 += f1 >>> 26; f1 &= M;
        f3 += f2 >>> 26; f2 &= M;
        f4 += f3 >>> 26; f3 &= M;
        f0 += (f4 >>> 26) * 5; f4 &= M;
        f1 += f0 >>> 26; f0 &= M;
        f2 += f1 >>> 26; f1 &= M;
        f3 += f2 >>> 26; f2 &= M;
        f4 += f3 >>> 26; f3 &= M; // f0..f3 < 2^26, f4 <= 2^26: the ORs below have disjoint bits
        st.h0 = f0 | (f1 << 26) | (f2 << 52);
        st.h1 = (f2 >>> 12) | (f3 << 14) | (f4 << 40);
        st.h2 = f4 >>> 24;
    }
}
