package io.xdpmesh.crypto.aead;

import java.lang.foreign.MemorySegment;

/**
 * ChaCha20-Poly1305 (RFC 8439) keyed once per direction, sealing and opening packets in place.
 *
 * <p>The nonce is WireGuard's: 4 zero bytes followed by the 64-bit counter, little-endian. There is
 * no associated data (WireGuard transport data has none). The region may be a UMEM frame, any
 * native segment, or a heap segment. An instance is used by one thread at a time: it keeps
 * per-packet scratch state so that seal and open allocate nothing.
 */
public interface PacketAead extends AutoCloseable {
    int KEY_BYTES = 32;
    int TAG_BYTES = 16;

    /**
     * Encrypts {@code len} bytes at {@code off} in place and writes the 16-byte tag right after
     * them, at {@code off + len}. The caller guarantees the segment has room for the tag.
     */
    void seal(MemorySegment seg, long off, int len, long counter);

    /**
     * Verifies the tag at {@code off + len} over the {@code len} ciphertext bytes at {@code off}
     * and, when it matches, decrypts them in place. On a mismatch it returns false and the region
     * holds no plaintext (it is left as ciphertext or wiped, never partially decrypted).
     */
    boolean open(MemorySegment seg, long off, int len, long counter);

    /** Which implementation does the work (for logs and benchmarks), e.g. "java-vector" or "openssl-evp". */
    default String implementation() {
        return getClass().getSimpleName();
    }

    /** Wipes the key material; the instance cannot be used afterwards. */
    @Override
    void close();
}
