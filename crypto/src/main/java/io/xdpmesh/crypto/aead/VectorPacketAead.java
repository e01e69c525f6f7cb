package io.xdpmesh.crypto.aead;

import static jdk.incubator.vector.VectorOperators.ROL;
import static jdk.incubator.vector.VectorOperators.XOR;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * ChaCha20-Poly1305 in pure Java: ChaCha20 on the Vector API; Poly1305 four blocks at a time on long
 * vectors ({@link Poly1305x4}; eight with {@link Poly1305x8} from 1792 B) with the remainder in 64-bit limbs. Nothing is
 * set up per packet beyond the counter, so small packets pay no library overhead.
 *
 * <p>Layout: one 512-bit vector holds the same state row of four consecutive blocks (one block per
 * 128-bit lane), so a quarter round works on whole rows and the diagonal round only rotates lanes
 * inside each 128-bit group. It rotates rows a, c and d (by -1, +1, +2), not the usual b, c and d: b is
 * the last row a quarter round writes and the first the next one reads, so rotating it put a 3-cycle
 * permute on the dependency chain twice per double round (measured: 64 B seal 152 -> 144 ns, open
 * 256 B 238 -> 225 ns). Two such groups (8 blocks, 512 bytes) are interleaved to hide
 * latency. Block 0 of every packet keys Poly1305; blocks 1.. encrypt. Afterwards a 4x4 transpose of
 * 128-bit chunks turns the rows back into four 64-byte keystream blocks.
 *
 * <p>Generated-looking straight-line code on purpose: every vector stays inside one method, so
 * C2 keeps them in registers and nothing is boxed (tested: zero bytes allocated per packet).
 */
public final class VectorPacketAead implements PacketAead {
    private static final VectorSpecies<Integer> S = IntVector.SPECIES_512;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private static final int[] SIGMA_ROWS = repeat4(0x61707865, 0x3320646e, 0x79622d32, 0x6b206574);
    private static final IntVector IOTA4 = IntVector.fromArray(S, new int[] {0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}, 0);
    private static final IntVector FOUR = IntVector.fromArray(S, repeat4(4, 0, 0, 0), 0);
    private static final IntVector LANE0 = IntVector.fromArray(S, repeat4(-1, 0, 0, 0), 0);
    private static final IntVector LANE1 = IntVector.fromArray(S, repeat4(0, -1, 0, 0), 0);
    private static final IntVector LANE2 = IntVector.fromArray(S, repeat4(0, 0, -1, 0), 0);
    private static final IntVector LANE3 = IntVector.fromArray(S, repeat4(0, 0, 0, -1), 0);
    private static final VectorShuffle<Integer> ROT1 = rotate(1);
    private static final VectorShuffle<Integer> ROT2 = rotate(2);
    private static final VectorShuffle<Integer> ROT3 = rotate(3);
    private static final VectorSpecies<Integer> Q = IntVector.SPECIES_128;
    private static final VectorShuffle<Integer> Q_ROT1 = VectorShuffle.fromArray(Q, new int[] {1, 2, 3, 0}, 0);
    private static final VectorShuffle<Integer> Q_ROT2 = VectorShuffle.fromArray(Q, new int[] {2, 3, 0, 1}, 0);
    private static final VectorShuffle<Integer> Q_ROT3 = VectorShuffle.fromArray(Q, new int[] {3, 0, 1, 2}, 0);
    private static final IntVector Q_FOUR = IntVector.fromArray(Q, new int[] {4, 0, 0, 0}, 0);
    private static final IntVector Q_LANE1 = IntVector.fromArray(Q, new int[] {0, -1, 0, 0}, 0);
    private static final IntVector Q_LANE2 = IntVector.fromArray(Q, new int[] {0, 0, -1, 0}, 0);
    private static final IntVector Q_LANE3 = IntVector.fromArray(Q, new int[] {0, 0, 0, -1}, 0);
    // Transpose: [x0 y0 x1 y1] / [x2 y2 x3 y3] from rows x, y (groups of four ints), then pairs of those.
    private static final IntVector T_LO = IntVector.fromArray(S, new int[] {0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23}, 0);
    private static final IntVector T_HI = IntVector.fromArray(S, new int[] {8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31}, 0);
    private static final IntVector U_LO = IntVector.fromArray(S, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23}, 0);
    private static final IntVector U_HI = IntVector.fromArray(S, new int[] {8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31}, 0);

    private static final ValueLayout.OfInt LE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final int[] keyWords = new int[8];
    private final int[] keyRows = new int[32]; // state rows 1 and 2 (the key), repeated for four blocks
    private final int[] ks = new int[128 + 1]; // eight keystream blocks, plus one spare int for the tail loop
    private final Poly1305 poly = new Poly1305();
    private boolean closed;
    private final PacketAead large;
    private final int largeFrom;
    // General RFC 8439 nonce and AAD, for the RFC vectors only: WireGuard uses prefix 0 and no AAD.
    private int noncePrefix;
    private MemorySegment aad;

    public VectorPacketAead(byte[] key32) {
        this(key32, null, Integer.MAX_VALUE);
    }

    /**
     * Hands packets of {@code largeFrom} bytes and more to {@code large} (keyed alike): the factory's
     * route to OpenSSL for jumbo sizes, checked here rather than in a wrapper, so that a small packet
     * costs one call, not two (a wrapper's call to this class's big compiled body was not inlined:
     * ~5 % of a 256-byte open).
     */
    VectorPacketAead(byte[] key32, PacketAead large, int largeFrom) {
        this.large = large;
        this.largeFrom = large == null ? Integer.MAX_VALUE : largeFrom;
        if (key32.length != KEY_BYTES) {
            throw new IllegalArgumentException("ChaCha20-Poly1305 key must be 32 bytes, got " + key32.length);
        }
        MemorySegment k = MemorySegment.ofArray(key32);
        for (int i = 0; i < 8; i++) {
            keyWords[i] = k.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE), 4L * i);
        }
        for (int i = 0; i < 16; i++) {
            keyRows[i] = keyWords[i & 3];
            keyRows[16 + i] = keyWords[4 + (i & 3)];
        }
    }

    /** True when this JVM runs the Vector API with 512-bit int vectors (what this class is built on). */
    public static boolean supported() {
        return IntVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    }

    @Override
    public String implementation() {
        return large == null ? "java-vector" : "java-vector<" + largeFrom + "<=" + large.implementation();
    }

    @Override
    public void seal(MemorySegment seg, long off, int len, long counter) {
        if (len >= largeFrom) {
            large.seal(seg, off, len, counter);
            return;
        }
        Checks.region(seg, off, len);
        run(seg, off, len, counter, false);
        poly.finishAead(len, seg, off + len);
    }

    @Override
    public boolean open(MemorySegment seg, long off, int len, long counter) {
        if (len >= largeFrom) {
            return large.open(seg, off, len, counter);
        }
        Checks.region(seg, off, len);
        long t0 = seg.get(Poly1305.LE64, off + len);
        long t1 = seg.get(Poly1305.LE64, off + len + 8);
        run(seg, off, len, counter, true);
        poly.finishAead(len, null, 0);
        if (((poly.tag0 ^ t0) | (poly.tag1 ^ t1)) == 0) {
            return true;
        }
        Checks.wipe(seg, off, len);
        return false;
    }

    /** RFC 8439 AEAD with a full 96-bit nonce (prefix word, then the counter) and AAD; tests only. */
    void sealRfc(MemorySegment seg, long off, int len, int prefix, long counter, byte[] aadBytes) {
        noncePrefix = prefix;
        aad = MemorySegment.ofArray(aadBytes);
        try {
            seal(seg, off, len, counter);
        } finally {
            noncePrefix = 0;
            aad = null;
        }
    }

    /** See {@link #sealRfc}. */
    boolean openRfc(MemorySegment seg, long off, int len, int prefix, long counter, byte[] aadBytes) {
        noncePrefix = prefix;
        aad = MemorySegment.ofArray(aadBytes);
        try {
            return open(seg, off, len, counter);
        } finally {
            noncePrefix = 0;
            aad = null;
        }
    }

    private void run(MemorySegment seg, long off, int len, long counter, boolean opening) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        int lo = (int) counter;
        int hi = (int) (counter >>> 32);
        // Block 0 keys Poly1305; block k >= 1 covers data bytes [64(k-1), 64k). Keystream comes in
        // units of 8 blocks (4 when at most 4 more are needed).
        if (len > 256) {
            block8(0, lo, hi);
        } else if (len > 192) {
            block5(lo, hi);
        } else {
            block4(0, lo, hi, 0);
        }
        poly.init(ksLong(0), ksLong(1), ksLong(2), ksLong(3));
        if (aad != null) {
            poly.blocks(aad, 0, aad.byteSize());
            poly.aadLength = aad.byteSize();
        }
        // Poly1305 runs over the whole ciphertext in one call (before decrypting, after encrypting),
        // so that its 8-block vector path sees every full chunk.
        if (opening) {
            poly.blocks(seg, off, off + len);
        }
        long done = 0;
        long n = Math.min(len, 448);
        int from = 16;
        int ctr = 8;
        while (true) {
            xor(seg, off + done, n, from);
            done += n;
            if (done >= len) {
                break;
            }
            long left = len - done;
            if (left > 256) {
                block8(ctr, lo, hi);
                n = Math.min(left, 512);
            } else {
                block4(ctr, lo, hi, 0);
                n = left;
            }
            ctr += 8;
            from = 0;
        }
        if (!opening) {
            poly.blocks(seg, off, off + len);
        }
    }

    /**
     * Four keystream blocks ctr..ctr+3 into {@code ks} at int index {@code dst} (64 ints). Kept
     * small and self-contained (nothing vector-typed crosses a method boundary) so that C1 can
     * compile it and C2 never has to box a vector.
     */
    private void block4(int ctr, int lo, int hi, int dst) {
        IntVector b0 = IntVector.fromArray(S, keyRows, 0), c0 = IntVector.fromArray(S, keyRows, 16);
        IntVector d0 = IOTA4.add(IntVector.broadcast(S, ctr).and(LANE0))
                .add(IntVector.broadcast(S, noncePrefix).and(LANE1))
                .add(IntVector.broadcast(S, lo).and(LANE2)).add(IntVector.broadcast(S, hi).and(LANE3));
        // a loop phi must not start from a constant vector object, or C2 boxes every iteration
        IntVector a0 = IntVector.fromArray(S, SIGMA_ROWS, 0);
        IntVector a = a0, b = b0, c = c0, d = d0;
        for (int i = 0; i < 10; i++) {
            a = a.add(b);
            d = d.lanewise(XOR, a).lanewise(ROL, 16);
            c = c.add(d);
            b = b.lanewise(XOR, c).lanewise(ROL, 12);
            a = a.add(b);
            d = d.lanewise(XOR, a).lanewise(ROL, 8);
            c = c.add(d);
            b = b.lanewise(XOR, c).lanewise(ROL, 7);
            a = a.rearrange(ROT3);
            c = c.rearrange(ROT1);
            d = d.rearrange(ROT2);
            a = a.add(b);
            d = d.lanewise(XOR, a).lanewise(ROL, 16);
            c = c.add(d);
            b = b.lanewise(XOR, c).lanewise(ROL, 12);
            a = a.add(b);
            d = d.lanewise(XOR, a).lanewise(ROL, 8);
            c = c.add(d);
            b = b.lanewise(XOR, c).lanewise(ROL, 7);
            a = a.rearrange(ROT1);
            c = c.rearrange(ROT3);
            d = d.rearrange(ROT2);
        }
        a = a.add(a0);
        b = b.add(b0);
        c = c.add(c0);
        d = d.add(d0);
        IntVector abLo = T_LO.selectFrom(a, b), abHi = T_HI.selectFrom(a, b);
        IntVector cdLo = T_LO.selectFrom(c, d), cdHi = T_HI.selectFrom(c, d);
        U_LO.selectFrom(abLo, cdLo).intoArray(ks, dst);
        U_HI.selectFrom(abLo, cdLo).intoArray(ks, dst + 16);
        U_LO.selectFrom(abHi, cdHi).intoArray(ks, dst + 32);
        U_HI.selectFrom(abHi, cdHi).intoArray(ks, dst + 48);
    }

    /**
     * Blocks 0..4 (a 256-byte packet needs five: the Poly1305 key and four of keystream): blocks 0..3
     * as in {@link #block4}, block 4 alone in a 128-bit vector beside them, into ks[0..80). Block 4's
     * rows need no transpose.
     */
    private void block5(int lo, int hi) {
        IntVector b0 = IntVector.fromArray(S, keyRows, 0), c0 = IntVector.fromArray(S, keyRows, 16);
        IntVector d0 = IOTA4.add(IntVector.broadcast(S, noncePrefix).and(LANE1))
                .add(IntVector.broadcast(S, lo).and(LANE2)).add(IntVector.broadcast(S, hi).and(LANE3));
        IntVector a0 = IntVector.fromArray(S, SIGMA_ROWS, 0);
        IntVector f0 = IntVector.fromArray(Q, keyWords, 0), g0 = IntVector.fromArray(Q, keyWords, 4);
        IntVector h0 = Q_FOUR.add(IntVector.broadcast(Q, noncePrefix).and(Q_LANE1))
                .add(IntVector.broadcast(Q, lo).and(Q_LANE2)).add(IntVector.broadcast(Q, hi).and(Q_LANE3));
        IntVector e0 = IntVector.fromArray(Q, SIGMA_ROWS, 0);
        IntVector a = a0, b = b0, c = c0, d = d0;
        IntVector e = e0, f = f0, g = g0, h = h0;
        for (int i = 0; i < 10; i++) {
            a = a.add(b);
            e = e.add(f);
            d = d.lanewise(XOR, a).lanewise(ROL, 16);
            h = h.lanewise(XOR, e).lanewise(ROL, 16);
            c = c.add(d);
            g = g.add(h);
            b = b.lanewise(XOR, c).lanewise(ROL, 12);
            f = f.lanewise(XOR, g).lanewise(ROL, 12);
            a = a.add(b);
            e = e.add(f);
            d = d.lanewise(XOR, a).lanewise(ROL, 8);
            h = h.lanewise(XOR, e).lanewise(ROL, 8);
            c = c.add(d);
            g = g.add(h);
            b = b.lanewise(XOR, c).lanewise(ROL, 7);
            f = f.lanewise(XOR, g).lanewise(ROL, 7);
            a = a.rearrange(ROT3);
            c = c.rearrange(ROT1);
            d = d.rearrange(ROT2);
            e = e.rearrange(Q_ROT3);
            g = g.rearrange(Q_ROT1);
            h = h.rearrange(Q_ROT2);
            a = a.add(b);
            e = e.add(f);
            d = d.lanewise(XOR, a).lanewise(ROL, 16);
            h = h.lanewise(XOR, e).lanewise(ROL, 16);
            c = c.add(d);
            g = g.add(h);
            b = b.lanewise(XOR, c).lanewise(ROL, 12);
            f = f.lanewise(XOR, g).lanewise(ROL, 12);
            a = a.add(b);
            e = e.add(f);
            d = d.lanewise(XOR, a).lanewise(ROL, 8);
            h = h.lanewise(XOR, e).lanewise(ROL, 8);
            c = c.add(d);
            g = g.add(h);
            b = b.lanewise(XOR, c).lanewise(ROL, 7);
            f = f.lanewise(XOR, g).lanewise(ROL, 7);
            a = a.rearrange(ROT1);
            c = c.rearrange(ROT3);
            d = d.rearrange(ROT2);
            e = e.rearrange(Q_ROT1);
            g = g.rearrange(Q_ROT3);
            h = h.rearrange(Q_ROT2);
        }
        a = a.add(a0);
        b = b.add(b0);
        c = c.add(c0);
        d = d.add(d0);
        IntVector abLo = T_LO.selectFrom(a, b), abHi = T_HI.selectFrom(a, b);
        IntVector cdLo = T_LO.selectFrom(c, d), cdHi = T_HI.selectFrom(c, d);
        U_LO.selectFrom(abLo, cdLo).intoArray(ks, 0);
        U_HI.selectFrom(abLo, cdLo).intoArray(ks, 16);
        U_LO.selectFrom(abHi, cdHi).intoArray(ks, 32);
        U_HI.selectFrom(abHi, cdHi).intoArray(ks, 48);
        e.add(e0).intoArray(ks, 64);
        f.add(f0).intoArray(ks, 68);
        g.add(g0).intoArray(ks, 72);
        h.add(h0).intoArray(ks, 76);
    }

    /** Like {@link #block4} for blocks ctr..ctr+7 (two interleaved groups hide the rounds' latency), into ks[0..128). */
    private void block8(int ctr, int lo, int hi) {
        IntVector b0 = IntVector.fromArray(S, keyRows, 0), c0 = IntVector.fromArray(S, keyRows, 16);
        IntVector d0 = IOTA4.add(IntVector.broadcast(S, ctr).and(LANE0))
                .add(IntVector.broadcast(S, noncePrefix).and(LANE1))
                .add(IntVector.broadcast(S, lo).and(LANE2)).add(IntVector.broadcast(S, hi).and(LANE3));
        IntVector h0 = d0.add(FOUR);
        IntVector a0 = IntVector.fromArray(S, SIGMA_ROWS, 0);
        IntVector a = a0, b = b0, c = c0, d = d0;
        IntVector e = a0, f = b0, g = c0, h = h0;
        for (int i = 0; i < 10; i++) {
            a = a.add(b);
            e = e.add(f);
            d = d.lanewise(XOR, a).lanewise(ROL, 16);
            h = h.lanewise(XOR, e).lanewise(ROL, 16);
            c = c.add(d);
            g = g.add(h);
            b = b.lanewise(XOR, c).lanewise(ROL, 12);
            f = f.lanewise(XOR, g).lanewise(ROL, 12);
            a = a.add(b);
            e = e.add(f);
            d = d.lanewise(XOR, a).lanewise(ROL, 8);
            h = h.lanewise(XOR, e).lanewise(ROL, 8);
            c = c.add(d);
            g = g.add(h);
            b = b.lanewise(XOR, c).lanewise(ROL, 7);
            f = f.lanewise(XOR, g).lanewise(ROL, 7);
            a = a.rearrange(ROT3);
            c = c.rearrange(ROT1);
            d = d.rearrange(ROT2);
            e = e.rearrange(ROT3);
            g = g.rearrange(ROT1);
            h = h.rearrange(ROT2);
            a = a.add(b);
            e = e.add(f);
            d = d.lanewise(XOR, a).lanewise(ROL, 16);
            h = h.lanewise(XOR, e).lanewise(ROL, 16);
            c = c.add(d);
            g = g.add(h);
            b = b.lanewise(XOR, c).lanewise(ROL, 12);
            f = f.lanewise(XOR, g).lanewise(ROL, 12);
            a = a.add(b);
            e = e.add(f);
            d = d.lanewise(XOR, a).lanewise(ROL, 8);
            h = h.lanewise(XOR, e).lanewise(ROL, 8);
            c = c.add(d);
            g = g.add(h);
            b = b.lanewise(XOR, c).lanewise(ROL, 7);
            f = f.lanewise(XOR, g).lanewise(ROL, 7);
            a = a.rearrange(ROT1);
            c = c.rearrange(ROT3);
            d = d.rearrange(ROT2);
            e = e.rearrange(ROT1);
            g = g.rearrange(ROT3);
            h = h.rearrange(ROT2);
        }
        a = a.add(a0);
        b = b.add(b0);
        c = c.add(c0);
        d = d.add(d0);
        e = e.add(a0);
        f = f.add(b0);
        g = g.add(c0);
        h = h.add(h0);
        IntVector abLo = T_LO.selectFrom(a, b), abHi = T_HI.selectFrom(a, b);
        IntVector cdLo = T_LO.selectFrom(c, d), cdHi = T_HI.selectFrom(c, d);
        IntVector efLo = T_LO.selectFrom(e, f), efHi = T_HI.selectFrom(e, f);
        IntVector ghLo = T_LO.selectFrom(g, h), ghHi = T_HI.selectFrom(g, h);
        U_LO.selectFrom(abLo, cdLo).intoArray(ks, 0);
        U_HI.selectFrom(abLo, cdLo).intoArray(ks, 16);
        U_LO.selectFrom(abHi, cdHi).intoArray(ks, 32);
        U_HI.selectFrom(abHi, cdHi).intoArray(ks, 48);
        U_LO.selectFrom(efLo, ghLo).intoArray(ks, 64);
        U_HI.selectFrom(efLo, ghLo).intoArray(ks, 80);
        U_LO.selectFrom(efHi, ghHi).intoArray(ks, 96);
        U_HI.selectFrom(efHi, ghHi).intoArray(ks, 112);
    }

    /** XORs keystream ints ks[from..) into [p, p + n) for n <= 512 - 4 * from. */
    private void xor(MemorySegment seg, long p, long n, int from) {
        long end = p + n;
        int k = from;
        for (; p + 64 <= end; p += 64, k += 16) {
            IntVector.fromMemorySegment(S, seg, p, LE).lanewise(XOR, IntVector.fromArray(S, ks, k))
                    .intoMemorySegment(seg, p, LE);
        }
        // tail below 64 bytes: 4-byte words, then bytes, in little-endian keystream order
        for (; p + 4 <= end; p += 4, k++) {
            seg.set(LE32, p, seg.get(LE32, p) ^ ks[k]);
        }
        int w = ks[k];
        for (; p < end; p++, w >>>= 8) {
            seg.set(ValueLayout.JAVA_BYTE, p, (byte) (seg.get(ValueLayout.JAVA_BYTE, p) ^ w));
        }
    }

    private long ksLong(int i) {
        return (ks[2 * i] & 0xFFFFFFFFL) | ((long) ks[2 * i + 1] << 32);
    }

    private static int[] repeat4(int w0, int w1, int w2, int w3) {
        int[] r = new int[16];
        for (int i = 0; i < 16; i += 4) {
            r[i] = w0;
            r[i + 1] = w1;
            r[i + 2] = w2;
            r[i + 3] = w3;
        }
        return r;
    }

    private static VectorShuffle<Integer> rotate(int k) {
        int[] idx = new int[16];
        for (int i = 0; i < 16; i++) {
            idx[i] = (i & ~3) | ((i + k) & 3);
        }
        return VectorShuffle.fromArray(S, idx, 0);
    }

    @Override
    public void close() {
        if (large != null) {
            large.close();
        }
        closed = true;
        Arrays.fill(keyWords, 0);
        Arrays.fill(keyRows, 0);
        Arrays.fill(ks, 0);
        poly.wipe();
    }
}
