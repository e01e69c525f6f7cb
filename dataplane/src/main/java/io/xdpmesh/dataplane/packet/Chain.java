package io.xdpmesh.dataplane.packet;

/**
 * One packet as a list of pieces: the descriptor chain an XDP_USE_SG socket delivers (the kernel
 * fills each 4 KiB frame after headroom, so headers are in the first piece), or a single frame.
 * Reused per packet; allocation-free. Logical offsets count from the start of the first piece.
 */
public final class Chain {
    /** More than the kernel ever chains (MAX_SKB_FRAGS + 1 = 18). */
    public static final int MAX = 32;

    private final long[] umem = new long[MAX];
    private final long[] abs = new long[MAX];
    private final int[] len = new int[MAX];
    private int count;
    private int total;

    public void reset() {
        count = 0;
        total = 0;
    }

    /** Appends a piece (its UMEM address and absolute address); false when the chain is full. */
    public boolean add(long umemAddr, long absAddr, int length) {
        if (count == MAX) {
            return false;
        }
        umem[count] = umemAddr;
        abs[count] = absAddr;
        len[count] = length;
        count++;
        total += length;
        return true;
    }

    public int count() {
        return count;
    }

    public int total() {
        return total;
    }

    public long umem(int i) {
        return umem[i];
    }

    public long abs(int i) {
        return abs[i];
    }

    public int len(int i) {
        return len[i];
    }

    /** Moves the start of the first piece by delta bytes (Ethernet header rewritten in front of IP). */
    public void advanceFirst(int delta) {
        umem[0] += delta;
        abs[0] += delta;
        len[0] -= delta;
        total -= delta;
    }

    /** Copies n bytes from logical offset from to the absolute address dst. */
    public void copy(int from, long dst, int n) {
        int i = 0;
        int start = 0;
        while (i < count && start + len[i] <= from) {
            start += len[i];
            i++;
        }
        while (n > 0 && i < count) {
            int in = from - start;
            int k = Math.min(n, len[i] - in);
            Mem.copy(abs[i] + in, dst, k);
            dst += k;
            from += k;
            n -= k;
            start += len[i];
            i++;
        }
        if (n > 0) {
            throw new IndexOutOfBoundsException("chain of " + total + " bytes has no byte " + from);
        }
    }

    /**
     * Writes n bytes from the absolute address src back into this chain's own frames (the inverse
     * of a gather, for a result no longer than what was gathered): each piece from where it starts
     * to the end of its frameSize-aligned frame. The pieces used go to outUmem/outLen; returns how
     * many, or -1 when the frames cannot hold n bytes (nothing is lost: the frames are still the
     * chain's). Pieces past the returned count are not touched.
     */
    public int scatter(long src, int n, int frameSize, long[] outUmem, int[] outLen) {
        int k = 0;
        int done = 0;
        while (done < n) {
            if (k == count || k == outUmem.length) {
                return -1;
            }
            int room = frameSize - (int) (umem[k] & (frameSize - 1));
            int m = Math.min(room, n - done);
            Mem.copy(src + done, abs[k], m);
            outUmem[k] = umem[k];
            outLen[k] = m;
            done += m;
            k++;
        }
        return k;
    }

    /**
     * One's-complement sum (folded, big-endian words, as {@link Checksums#sum}) of n bytes from
     * logical offset from: a piece that starts at an odd distance from {@code from} contributes
     * its sum byte-swapped (RFC 1071).
     */
    public int sum(int from, int n) {
        int i = 0;
        int start = 0;
        while (i < count && start + len[i] <= from) {
            start += len[i];
            i++;
        }
        long s = 0;
        int done = 0;
        while (done < n && i < count) {
            int in = from + done - start;
            int k = Math.min(n - done, len[i] - in);
            int piece = Checksums.sum(abs[i] + in, k);
            s += (done & 1) == 0 ? piece : swap(piece);
            done += k;
            start += len[i];
            i++;
        }
        if (done < n) {
            throw new IndexOutOfBoundsException("chain of " + total + " bytes is shorter than " + (from + n));
        }
        return Checksums.fold(s);
    }

    static int swap(int v) {
        return ((v & 0xff) << 8) | (v >>> 8);
    }

    /**
     * Completes the TCP/UDP checksum of a packet whose IP header is at absolute ip (in the first
     * piece) and transport header at logical offset l4 (also in the first piece), l4Len bytes long,
     * when the sender left it partial ({@link Checksums#completeL4} says what counts as partial).
     */
    public boolean completeL4(long ip, int version, int proto, int l4, int l4Len) {
        long t = abs[0] + l4;
        int field = Checksums.l4FieldOffset(version, proto, t);
        if (field < 0) {
            return field == Checksums.UDP4_NO_CHECKSUM;
        }
        long pseudo = Checksums.pseudo(ip, version, proto, l4Len);
        if (Mem.be16(t + field) != Checksums.fold(pseudo)) {
            return true;
        }
        Mem.putBe16(t + field, 0);
        Mem.putBe16(t + field, Checksums.finish(pseudo + sum(l4, l4Len), proto));
        return true;
    }
}
