package io.xdpmesh.xdp.xsk;

import io.xdpmesh.xdp.sys.XdpAbi;

/**
 * UMEM shape. frameSize: 2048 or 4096 (aligned chunks: a power of two between the kernel's
 * minimum chunk and the page size). headroom: bytes the kernel leaves free in front of received
 * data, on top of its own XDP_PACKET_HEADROOM (256) in copy mode.
 */
public record UmemConfig(int frameSize, int frameCount, int headroom, boolean hugepages) {
    public static final int DEFAULT_FRAME_SIZE = 4096;
    public static final int DEFAULT_FRAME_COUNT = 8192;

    public UmemConfig {
        if (frameSize != 2048 && frameSize != 4096) {
            throw new IllegalArgumentException("UMEM frame size must be 2048 or 4096, not " + frameSize);
        }
        if (frameCount < 1) {
            throw new IllegalArgumentException("UMEM too small: " + frameCount + " frames");
        }
        if ((long) frameCount * frameSize > Integer.MAX_VALUE * 8L) {
            throw new IllegalArgumentException("UMEM too large: " + frameCount + " frames of " + frameSize);
        }
        if (headroom < 0 || headroom >= frameSize - XdpAbi.XDP_PACKET_HEADROOM - 64) {
            throw new IllegalArgumentException("UMEM headroom " + headroom + " leaves no room for data in a "
                    + frameSize + "-byte frame (the kernel also keeps " + XdpAbi.XDP_PACKET_HEADROOM + ")");
        }
    }

    public static UmemConfig defaults() {
        return new UmemConfig(DEFAULT_FRAME_SIZE, DEFAULT_FRAME_COUNT, 0, false);
    }

    public UmemConfig withFrameSize(int size) {
        return new UmemConfig(size, frameCount, headroom, hugepages);
    }

    public UmemConfig withFrameCount(int count) {
        return new UmemConfig(frameSize, count, headroom, hugepages);
    }

    public UmemConfig withHeadroom(int bytes) {
        return new UmemConfig(frameSize, frameCount, bytes, hugepages);
    }

    public UmemConfig withHugepages(boolean on) {
        return new UmemConfig(frameSize, frameCount, headroom, on);
    }

    public long bytes() {
        return (long) frameSize * frameCount;
    }

    /** Bytes of packet data a received frame can hold in copy mode. */
    public int rxDataCapacity() {
        return frameSize - headroom - XdpAbi.XDP_PACKET_HEADROOM;
    }
}
