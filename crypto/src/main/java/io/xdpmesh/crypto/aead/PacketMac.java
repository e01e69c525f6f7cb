package io.xdpmesh.crypto.aead;

import java.lang.foreign.MemorySegment;

/**
 * Authentication without encryption, for the {@code auth} verdict: the RFC 8439 ChaCha20-Poly1305
 * tag of an empty plaintext whose associated data is the whole region, under WireGuard's nonce
 * (4 zero bytes || counter). Any RFC 8439 implementation (the JDK's included) computes the same
 * tag, and since the nonce comes from the keypair's one send counter, a (key, nonce) pair is never
 * used twice across sealed and authenticated messages. Keyed once per direction; allocation-free;
 * one thread at a time.
 */
public final class PacketMac implements AutoCloseable {
    public static final int TAG_BYTES = 16;

    private final ChaCha20Block block;
    private final Poly1305 poly = new Poly1305();
    private final MemorySegment expected = MemorySegment.ofArray(new byte[TAG_BYTES]);

    /** The caller keeps and wipes {@code key32}; this copies it. */
    public PacketMac(byte[] key32) {
        block = new ChaCha20Block(key32);
    }

    /** Writes the tag over {@code [off, off + len)} at {@code off + len}. */
    public void sign(MemorySegment seg, long off, int len, long counter) {
        tag(seg, off, len, counter, seg, off + len);
    }

    /** Whether the 16 bytes at {@code off + len} are the tag over {@code [off, off + len)}; constant time. */
    public boolean verify(MemorySegment seg, long off, int len, long counter) {
        tag(seg, off, len, counter, expected, 0);
        long diff = (expected.get(Poly1305.LE64, 0) ^ seg.get(Poly1305.LE64, off + len))
                | (expected.get(Poly1305.LE64, 8) ^ seg.get(Poly1305.LE64, off + len + 8));
        expected.fill((byte) 0);
        return diff == 0;
    }

    private void tag(MemorySegment seg, long off, int len, long counter, MemorySegment out, long outOff) {
        block.polyKey(counter);
        poly.init(block.k0, block.k1, block.k2, block.k3);
        poly.blocks(seg, off, off + len);
        poly.aadLength = len;
        poly.finishAead(0, out, outOff);
    }

    @Override
    public void close() {
        block.wipe();
        poly.wipe();
    }
}
