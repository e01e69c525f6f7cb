package io.xdpmesh.crypto.transport;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The length of the inner IP packet in a decrypted transport payload, taken from its own IP
 * header as WireGuard does (the padding after it is discarded): IPv4 total length, or IPv6
 * payload length + 40.
 */
public final class InnerPacket {
    private InnerPacket() {}

    public static final int IPV4_HEADER_MIN = 20;
    public static final int IPV6_HEADER = 40;
    private static final ValueLayout.OfShort U16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /**
     * Returns the inner packet's length, or -1 when the {@code available} bytes at {@code off}
     * do not start with an IPv4/IPv6 header whose length fits in them.
     */
    public static int length(MemorySegment seg, long off, int available) {
        if (available < 1) {
            return -1;
        }
        int version = (seg.get(ValueLayout.JAVA_BYTE, off) & 0xff) >>> 4;
        if (version == 4) {
            if (available < IPV4_HEADER_MIN) {
                return -1;
            }
            int total = Short.toUnsignedInt(seg.get(U16_BE, off + 2));
            return total < IPV4_HEADER_MIN || total > available ? -1 : total;
        }
        if (version == 6) {
            if (available < IPV6_HEADER) {
                return -1;
            }
            int total = Short.toUnsignedInt(seg.get(U16_BE, off + 4)) + IPV6_HEADER;
            return total > available ? -1 : total;
        }
        return -1;
    }
}
