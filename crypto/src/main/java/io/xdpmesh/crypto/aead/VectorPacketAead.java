package io.xdpmesh.crypto.aead;

import static jdk.incubator.vector.VectorOperators.ROL;
import static jdk.incubator.vector.VectorOperators.XOR;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * ChaCha20-Poly1305 in pure Java: ChaCha20 on the Vector API, Poly1305 in 64-bit limbs. Nothing is
 * set up per packet beyond the counter, so small packets pay no library overhead.
 *
 * <p>Layout: one 512-bit vector holds the same state row of four consecutive blocks (one block per
 * 128-bit lane), so a quarter round works on whole rows and the diagonal round only rotates lanes
 * inside each 128-bit group. Two such groups (8 blocks, 512 bytes) are interleaved to hide
 * latency. Block 0 of every packet keys Poly1305; blocks 1.. encrypt. Afterwards a 4x4 transpose of
 * 128-bit chunks turns the rows back into four 64-byte keystream blocks.
 *
 * <p>Generated-looking straight-line code on purpose: every vector stays inside one method, so
 * C2 keeps them in registers and nothing is boxed (tested: zero bytes allocated per packet).
 */
public final class VectorPacketAead implements PacketAead {
    private static final VectorSpecies<Integer> S = IntVector.SPECIES_512;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_512;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private static final IntVector SIGMA = IntVector.fromArray(S, repeat4(0x61707865, 0x3320646e, 0x79622d32, 0x6b206574), 0);
    private static final IntVector IOTA4 = IntVector.fromArray(S, new int[] {0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}, 0);
    private static final IntVector FOUR = IntVector.fromArray(S, repeat4(4, 0, 0, 0), 0);
    private static final IntVector LANE0 = IntVector.fromArray(S, repeat4(-1, 0, 0, 0), 0);
    private static final IntVector LANE1 = IntVector.fromArray(S, repeat4(0, -1, 0, 0), 0);
    private static final IntVector LANE2 = IntVector.fromArray(S, repeat4(0, 0, -1, 0), 0);
    private static final IntVector LANE3 = IntVector.fromArray(S, repeat4(0, 0, 0, -1), 0);
    private static final VectorShuffle<Integer> ROT1 = rotate(1);
    private static final VectorShuffle<Integer> ROT2 = rotate(2);
    private static final VectorShuffle<Integer> ROT3 = rotate(3);
    // Transpose: [x0 y0 x1 y1] / [x2 y2 x3 y3] from rows x, y (groups of four ints), then pairs of those.
    private static final IntVector T_LO = IntVector.fromArray(S, new int[] {0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23}, 0);
    private static final IntVector T_HI = IntVector.fromArray(S, new int[] {8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31}, 0);
    private static final IntVector U_LO = IntVector.fromArray(S, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23}, 0);
    private static final IntVector U_HI = IntVector.fromArray(S, new int[] {8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31}, 0);

    private final int[] keyWords = new int[8];
    private IntVector kb;
    private IntVector kc;
    private final Poly1305 poly = new Poly1305();
    private boolean closed;
    // General RFC 8439 nonce and AAD, for the RFC vectors only: WireGuard uses prefix 0 and no AAD.
    private int noncePrefix;
    private MemorySegment aad;

    public VectorPacketAead(byte[] key32) {
        if (key32.length != KEY_BYTES) {
            throw new IllegalArgumentException("ChaCha20-Poly1305 key must be 32 bytes, got " + key32.length);
        }
        MemorySegment k = MemorySegment.ofArray(key32);
        for (int i = 0; i < 8; i++) {
            keyWords[i] = k.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE), 4L * i);
        }
        int[] row = new int[16];
        for (int i = 0; i < 16; i++) {
            row[i] = keyWords[i & 3];
        }
        kb = IntVector.fromArray(S, row, 0);
        for (int i = 0; i < 16; i++) {
            row[i] = keyWords[4 + (i & 3)];
        }
        kc = IntVector.fromArray(S, row, 0);
        Arrays.fill(row, 0);
    }

    /** True when this JVM runs the Vector API with 512-bit int vectors (what this class is built on). */
    public static boolean supported() {
        return IntVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    }

    @Override
    public String implementation() {
        return "java-vector";
    }

    @Override
    public void seal(MemorySegment seg, long off, int len, long counter) {
        Checks.region(seg, off, len);
        run(seg, off, len, counter, false);
        poly.finishAead(len, seg, off + len);
    }

    @Override
    public boolean open(MemorySegment seg, long off, int len, long counter) {
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
        int last = (len + 63) >>> 6; // last keystream block needed; block 0 is the Poly1305 key
        int ctr = 0;
        while (ctr <= last) {
            if (last - ctr >= 4) {
                unit8(seg, off, len, ctr, lo, hi, opening);
                ctr += 8;
            } else {
                unit4(seg, off, len, ctr, lo, hi, opening);
                ctr += 4;
            }
        }
    }

    /**
     * Keystream blocks ctr..ctr+7: block 0 keys Poly1305, block k >= 1 is XORed into data bytes
     * [64(k-1), 64k) of the region. When {@code opening}, the ciphertext these blocks cover is
     * authenticated before it is decrypted; otherwise after it is encrypted.
     */
    private void unit8(MemorySegment seg, long off, int len, int ctr, int lo, int hi, boolean opening) {
        IntVector b0 = kb, c0 = kc;
        IntVector d0 = IOTA4.add(IntVector.broadcast(S, ctr).and(LANE0))
                .add(IntVector.broadcast(S, noncePrefix).and(LANE1))
                .add(IntVector.broadcast(S, lo).and(LANE2)).add(IntVector.broadcast(S, hi).and(LANE3));
        IntVector h0 = d0.add(FOUR);
        IntVector a = SIGMA, b = b0, c = c0, d = d0;
        IntVector e = SIGMA, f = b0, g = c0, h = h0;
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
            b = b.rearrange(ROT1);
            c = c.rearrange(ROT2);
            d = d.rearrange(ROT3);
            f = f.rearrange(ROT1);
            g = g.rearrange(ROT2);
            h = h.rearrange(ROT3);
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
            b = b.rearrange(ROT3);
            c = c.rearrange(ROT2);
            d = d.rearrange(ROT1);
            f = f.rearrange(ROT3);
            g = g.rearrange(ROT2);
            h = h.rearrange(ROT1);
        }
        a = a.add(SIGMA); b = b.add(b0); c = c.add(c0); d = d.add(d0);
        e = e.add(SIGMA); f = f.add(b0); g = g.add(c0); h = h.add(h0);
        IntVector abLo = T_LO.selectFrom(a, b), abHi = T_HI.selectFrom(a, b);
        IntVector cdLo = T_LO.selectFrom(c, d), cdHi = T_HI.selectFrom(c, d);
        IntVector k0 = U_LO.selectFrom(abLo, cdLo), k1 = U_HI.selectFrom(abLo, cdLo);
        IntVector k2 = U_LO.selectFrom(abHi, cdHi), k3 = U_HI.selectFrom(abHi, cdHi);
        IntVector efLo = T_LO.selectFrom(e, f), efHi = T_HI.selectFrom(e, f);
        IntVector ghLo = T_LO.selectFrom(g, h), ghHi = T_HI.selectFrom(g, h);
        IntVector k4 = U_LO.selectFrom(efLo, ghLo), k5 = U_HI.selectFrom(efLo, ghLo);
        IntVector k6 = U_LO.selectFrom(efHi, ghHi), k7 = U_HI.selectFrom(efHi, ghHi);
        long from = ctr == 0 ? 0 : (long) (ctr - 1) << 6;
        long to = Math.min(len, (long) (ctr + 7) << 6);
        if (ctr == 0) {
            LongVector key = k0.reinterpretAsLongs();
            poly.init(key.lane(0), key.lane(1), key.lane(2), key.lane(3));
            if (aad != null) {
                poly.blocks(aad, 0, aad.byteSize());
                poly.aadLength = aad.byteSize();
            }
        }
        if (opening) {
            poly.blocks(seg, off + from, off + to);
        }
        long base = off - 64 + ((long) ctr << 6);
        long rem = len - ((long) (ctr - 1) << 6);
        if (ctr != 0) {
            if (rem >= 64) {
                IntVector.fromMemorySegment(S, seg, base, LE).lanewise(XOR, k0).intoMemorySegment(seg, base, LE);
            } else if (rem > 0) {
                VectorMask<Byte> m = VectorMask.fromLong(B, (1L << rem) - 1);
                ByteVector.fromMemorySegment(B, seg, base, LE, m).lanewise(XOR, k0.reinterpretAsBytes()).intoMemorySegment(seg, base, LE, m);
            }
        }
        if (rem - 64 >= 64) {
            IntVector.fromMemorySegment(S, seg, base + 64, LE).lanewise(XOR, k1).intoMemorySegment(seg, base + 64, LE);
        } else if (rem - 64 > 0) {
            VectorMask<Byte> m = VectorMask.fromLong(B, (1L << rem - 64) - 1);
            ByteVector.fromMemorySegment(B, seg, base + 64, LE, m).lanewise(XOR, k1.reinterpretAsBytes()).intoMemorySegment(seg, base + 64, LE, m);
        }
        if (rem - 128 >= 64) {
            IntVector.fromMemorySegment(S, seg, base + 128, LE).lanewise(XOR, k2).intoMemorySegment(seg, base + 128, LE);
        } else if (rem - 128 > 0) {
            VectorMask<Byte> m = VectorMask.fromLong(B, (1L << rem - 128) - 1);
            ByteVector.fromMemorySegment(B, seg, base + 128, LE, m).lanewise(XOR, k2.reinterpretAsBytes()).intoMemorySegment(seg, base + 128, LE, m);
        }
        if (rem - 192 >= 64) {
            IntVector.fromMemorySegment(S, seg, base + 192, LE).lanewise(XOR, k3).intoMemorySegment(seg, base + 192, LE);
        } else if (rem - 192 > 0) {
            VectorMask<Byte> m = VectorMask.fromLong(B, (1L << rem - 192) - 1);
            ByteVector.fromMemorySegment(B, seg, base + 192, LE, m).lanewise(XOR, k3.reinterpretAsBytes()).intoMemorySegment(seg, base + 192, LE, m);
        }
        if (rem - 256 >= 64) {
            IntVector.fromMemorySegment(S, seg, base + 256, LE).lanewise(XOR, k4).intoMemorySegment(seg, base + 256, LE);
        } else if (rem - 256 > 0) {
            VectorMask<Byte> m = VectorMask.fromLong(B, (1L << rem - 256) - 1);
            ByteVector.fromMemorySegment(B, seg, base + 256, LE, m).lanewise(XOR, k4.reinterpretAsBytes()).intoMemorySegment(seg, base + 256, LE, m);
        }
        if (rem - 320 >= 64) {
            IntVector.fromMemorySegment(S, seg, base + 320, LE).lanewise(XOR, k5).intoMemorySegment(seg, base + 320, LE);
        } else if (rem - 320 > 0) {
            VectorMask<Byte> m = VectorMask.fromLong(B, (1L << rem - 320) - 1);
            ByteVector.fromMemorySegment(B, seg, base + 320, LE, m).lanewise(XOR, k5.reinterpretAsBytes()).intoMemorySegment(seg, base + 320, LE, m);
        }
        if (rem - 384 >= 64) {
            IntVector.fromMemorySegment(S, seg, base + 384, LE).lanewise(XOR, k6).intoMemorySegment(seg, base + 384, LE);
        } else if (rem - 384 > 0) {
            VectorMask<Byte> m = VectorMask.fromLong(B, (1L << rem - 384) - 1);
            ByteVector.fromMemorySegment(B, seg, base + 384, LE, m).lanewise(XOR, k6.reinterpretAsBytes()).intoMemorySegment(seg, base + 384, LE, m);
        }
        if (rem - 448 >= 64) {
            IntVector.fromMemorySegment(S, seg, base + 448, LE).lanewise(XOR, k7).intoMemorySegment(seg, base + 448, LE);
        } else if (rem - 448 > 0) {
            VectorMask<Byte> m = VectorMask.fromLong(B, (1L << rem - 448) - 1);
            ByteVector.fromMemorySegment(B, seg, base + 448, LE, m).lanewise(XOR, k7.reinterpretAsBytes()).intoMemorySegment(seg, base + 448, LE, m);
        }
        if (!opening) {
            poly.blocks(seg, off + from, off + to);
        }
    }

    /**
     * Keystream blocks ctr..ctr+3: block 0 keys Poly1305, block k >= 1 is XORed into data bytes
     * [64(k-1), 64k) of the region. When {@code opening}, the ciphertext these blocks cover is
     * authenticated before it is decrypted; otherwise after it is encrypted.
     */
    private void unit4(MemorySegment seg, long off, int len, int ctr, int lo, int hi, boolean opening) {
        IntVector b0 = kb, c0 = kc;
        IntVector d0 = IOTA4.add(IntVector.broadcast(S, ctr).and(LANE0))
                .add(IntVector.broadcast(S, noncePrefix).and(LANE1))
                .add(IntVector.broadcast(S, lo).and(LANE2)).add(IntVector.broadcast(S, hi).and(LANE3));
        IntVector a = SIGMA, b = b0, c = c0, d = d0;
        for (int i = 0; i < 10; i++) {
            a = a.add(b);
            d = d.lanewise(XOR, a).lanewise(ROL, 16);
            c = c.add(d);
            b = b.lanewise(XOR, c).lanewise(ROL, 12);
            a = a.add(b);
            d = d.lanewise(XOR, a).lanewise(ROL, 8);
            c = c.add(d);
            b = b.lanewise(XOR, c).lanewise(ROL, 7);
            b = b.rearrange(ROT1);
            c = c.rearrange(ROT2);
            d = d.rearrange(ROT3);
            a = a.add(b);
            d = d.lanewise(XOR, a).lanewise(ROL, 16);
            c = c.add(d);
            b = b.lanewise(XOR, c).lanewise(ROL, 12);
            a = a.add(b);
            d = d.lanewise(XOR, a).lanewise(ROL, 8);
            c = c.add(d);
            b = b.lanewise(XOR, c).lanewise(ROL, 7);
            b = b.rearrange(ROT3);
            c = c.rearrange(ROT2);
            d = d.rearrange(ROT1);
        }
        a = a.add(SIGMA); b = b.add(b0); c = c.add(c0); d = d.add(d0);
        IntVector abLo = T_LO.selectFrom(a, b), abHi = T_HI.selectFrom(a, b);
        IntVector cdLo = T_LO.selectFrom(c, d), cdHi = T_HI.selectFrom(c, d);
        IntVector k0 = U_LO.selectFrom(abLo, cdLo), k1 = U_HI.selectFrom(abLo, cdLo);
        IntVector k2 = U_LO.selectFrom(abHi, cdHi), k3 = U_HI.selectFrom(abHi, cdHi);
        long from = ctr == 0 ? 0 : (long) (ctr - 1) << 6;
        long to = Math.min(len, (long) (ctr + 3) << 6);
        if (ctr == 0) {
            LongVector key = k0.reinterpretAsLongs();
            poly.init(key.lane(0), key.lane(1), key.lane(2), key.lane(3));
            if (aad != null) {
                poly.blocks(aad, 0, aad.byteSize());
                poly.aadLength = aad.byteSize();
            }
        }
        if (opening) {
            poly.blocks(seg, off + from, off + to);
        }
        long base = off - 64 + ((long) ctr << 6);
        long rem = len - ((long) (ctr - 1) << 6);
        if (ctr != 0) {
            if (rem >= 64) {
                IntVector.fromMemorySegment(S, seg, base, LE).lanewise(XOR, k0).intoMemorySegment(seg, base, LE);
            } else if (rem > 0) {
                VectorMask<Byte> m = VectorMask.fromLong(B, (1L << rem) - 1);
                ByteVector.fromMemorySegment(B, seg, base, LE, m).lanewise(XOR, k0.reinterpretAsBytes()).intoMemorySegment(seg, base, LE, m);
            }
        }
        if (rem - 64 >= 64) {
            IntVector.fromMemorySegment(S, seg, base + 64, LE).lanewise(XOR, k1).intoMemorySegment(seg, base + 64, LE);
        } else if (rem - 64 > 0) {
            VectorMask<Byte> m = VectorMask.fromLong(B, (1L << rem - 64) - 1);
            ByteVector.fromMemorySegment(B, seg, base + 64, LE, m).lanewise(XOR, k1.reinterpretAsBytes()).intoMemorySegment(seg, base + 64, LE, m);
        }
        if (rem - 128 >= 64) {
            IntVector.fromMemorySegment(S, seg, base + 128, LE).lanewise(XOR, k2).intoMemorySegment(seg, base + 128, LE);
        } else if (rem - 128 > 0) {
            VectorMask<Byte> m = VectorMask.fromLong(B, (1L << rem - 128) - 1);
            ByteVector.fromMemorySegment(B, seg, base + 128, LE, m).lanewise(XOR, k2.reinterpretAsBytes()).intoMemorySegment(seg, base + 128, LE, m);
        }
        if (rem - 192 >= 64) {
            IntVector.fromMemorySegment(S, seg, base + 192, LE).lanewise(XOR, k3).intoMemorySegment(seg, base + 192, LE);
        } else if (rem - 192 > 0) {
            VectorMask<Byte> m = VectorMask.fromLong(B, (1L << rem - 192) - 1);
            ByteVector.fromMemorySegment(B, seg, base + 192, LE, m).lanewise(XOR, k3.reinterpretAsBytes()).intoMemorySegment(seg, base + 192, LE, m);
        }
        if (!opening) {
            poly.blocks(seg, off + from, off + to);
        }
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
        closed = true;
        Arrays.fill(keyWords, 0);
        kb = IntVector.zero(S);
        kc = IntVector.zero(S);
    }
}
