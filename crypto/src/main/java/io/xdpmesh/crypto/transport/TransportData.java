package io.xdpmesh.crypto.transport;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Layout of a WireGuard transport-data message (type 4), as DESIGN.md fixes it:
 * <pre>
 *   0  type = 4        (1 byte)
 *   1  reserved = 0    (3 bytes)
 *   4  receiver index  (4 bytes, little-endian)
 *   8  counter         (8 bytes, little-endian; also the AEAD nonce: 4 zero bytes || counter)
 *  16  ChaCha20-Poly1305 ciphertext of the inner IP packet, zero-padded to a multiple of 16
 *      (capped at the MTU)
 *  16+p  Poly1305 tag  (16 bytes)
 * </pre>
 * A keepalive has an empty payload: 32 bytes. The caller reserves {@link #HEADER_BYTES} in front
 * of the inner packet so sealing and opening work in place.
 *
 * <p>xdpmesh's {@code auth} verdict (authenticated, payload in the clear) uses the same header with
 * type {@link #AUTHENTICATED_TYPE} (0x84, which no WireGuard message uses: the high bit marks an
 * xdpmesh extension), the inner packet unpadded and in the clear, and a 16-byte tag over header
 * and packet ({@link io.xdpmesh.crypto.aead.PacketMac}). Same keys, receiver index, counter
 * sequence and replay window as type 4.
 */
public final class TransportData {
    private TransportData() {}

    public static final int MESSAGE_TYPE = 4;
    /** Authenticated, not encrypted (the {@code auth} verdict); an xdpmesh extension. */
    public static final int AUTHENTICATED_TYPE = 0x84;
    public static final int HEADER_BYTES = 16;
    public static final int TAG_BYTES = 16;
    /** Header plus tag: the size of a keepalive, and the overhead on every packet. */
    public static final int OVERHEAD = HEADER_BYTES + TAG_BYTES;
    public static final int KEEPALIVE_BYTES = OVERHEAD;
    public static final int PADDING_MULTIPLE = 16;

    public static final int TYPE_OFFSET = 0;
    public static final int RECEIVER_INDEX_OFFSET = 4;
    public static final int COUNTER_OFFSET = 8;
    public static final int PAYLOAD_OFFSET = HEADER_BYTES;

    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * The plaintext length after WireGuard's padding: {@code len} rounded up to a multiple of 16,
     * but never beyond {@code mtu}; {@code mtu <= 0} means no cap. A packet longer than the MTU
     * (which should not happen) is padded as the kernel pads it: by its length modulo the MTU.
     */
    public static int paddedLength(int len, int mtu) {
        if (len < 0) {
            throw new IllegalArgumentException("negative length " + len);
        }
        if (mtu <= 0) {
            return align16(len);
        }
        int last = len > mtu ? len % mtu : len;
        int padded = Math.min(mtu, align16(last));
        return len + (padded - last);
    }

    /** The size of the whole message carrying an inner packet of {@code innerLen} bytes. */
    public static int messageLength(int innerLen, int mtu) {
        return OVERHEAD + paddedLength(innerLen, mtu);
    }

    static int align16(int len) {
        return (len + PADDING_MULTIPLE - 1) & -PADDING_MULTIPLE;
    }

    /**
     * Whether {@code padded} bytes of plaintext carrying an inner packet of {@code inner} bytes is
     * what a WireGuard sender produces: rounded up to a multiple of 16, or, when that was capped
     * at the MTU (the plaintext is then not a multiple of 16), rounded up to the cap.
     */
    public static boolean paddingConsistent(int inner, int padded) {
        if (inner > padded || inner < 0) {
            return false;
        }
        int rem = padded & (PADDING_MULTIPLE - 1);
        return rem == 0 ? padded - inner < PADDING_MULTIPLE : inner > padded - rem;
    }

    /** The first 4 bytes read as one little-endian word: 4 for a well-formed type-4 message. */
    public static int typeWord(MemorySegment seg, long off) {
        return seg.get(INT_LE, off + TYPE_OFFSET);
    }

    /** The receiver index (the receiving side's local index) of a message at {@code off}. */
    public static int receiverIndex(MemorySegment seg, long off) {
        return seg.get(INT_LE, off + RECEIVER_INDEX_OFFSET);
    }

    /** The counter (unsigned) of a message at {@code off}. */
    public static long counter(MemorySegment seg, long off) {
        return seg.get(LONG_LE, off + COUNTER_OFFSET);
    }

    static void writeHeader(MemorySegment seg, long off, int receiverIndex, long counter) {
        writeHeader(seg, off, MESSAGE_TYPE, receiverIndex, counter);
    }

    static void writeHeader(MemorySegment seg, long off, int type, int receiverIndex, long counter) {
        seg.set(INT_LE, off + TYPE_OFFSET, type); // type, reserved 0 0 0
        seg.set(INT_LE, off + RECEIVER_INDEX_OFFSET, receiverIndex);
        seg.set(LONG_LE, off + COUNTER_OFFSET, counter);
    }
}
