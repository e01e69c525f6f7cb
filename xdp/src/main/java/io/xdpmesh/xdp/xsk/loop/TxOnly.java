package io.xdpmesh.xdp.xsk.loop;

import io.xdpmesh.xdp.xsk.FrameStack;
import io.xdpmesh.xdp.xsk.TxRing;
import io.xdpmesh.xdp.xsk.XskSocket;

/**
 * Sends packets from a {@link PacketSource} as fast as the TX ring drains, up to a limit, with an
 * optional token-bucket rate limit checked per batch (no clock read per packet).
 */
public final class TxOnly extends Forwarder {
    private final XskSocket socket;
    private final FrameStack frames;
    private final PacketSource source;
    private final long base;
    private final int capacity;
    private final long limit;
    private final double ratePerNano;
    private double tokens;
    private long lastNanos;
    private long sequence;
    private long txBytes;
    private long completed;

    /**
     * @param limit packets to send in total (Long.MAX_VALUE for no limit)
     * @param packetsPerSecond 0 for flat out
     */
    public TxOnly(XskSocket socket, FrameStack frames, PacketSource source, int batch, long limit,
            long packetsPerSecond) {
        super(batch);
        this.socket = socket;
        this.frames = frames;
        this.source = source;
        this.base = socket.umem().address();
        this.capacity = socket.umem().frameSize();
        this.limit = limit;
        this.ratePerNano = packetsPerSecond / 1e9;
        this.lastNanos = System.nanoTime();
    }

    @Override
    public int doWork() {
        completed += socket.completion().drainTo(frames, Integer.MAX_VALUE);
        long left = limit - sequence;
        int want = (int) Math.min(Math.min(batch, left), frames.available());
        if (ratePerNano > 0 && want > 0) {
            long now = System.nanoTime();
            tokens = Math.min(tokens + (now - lastNanos) * ratePerNano, Math.max(batch, 1));
            lastNanos = now;
            want = (int) Math.min(want, (long) tokens);
        }
        int n = 0;
        if (want > 0) {
            TxRing tx = socket.tx();
            n = tx.reserveUpTo(want);
            if (n > 0) {
                int idx = tx.reservedStart();
                long bytes = 0;
                for (int i = 0; i < n; i++) {
                    long frame = frames.alloc();
                    int len = source.write(base + frame, capacity, sequence++);
                    bytes += len;
                    tx.desc(idx + i, frame, len, 0);
                }
                tx.submit(n);
                txPackets += n;
                txBytes += bytes;
                if (ratePerNano > 0) {
                    tokens -= n;
                }
            }
        }
        kickTx(socket);
        return n;
    }

    public long txBytes() {
        return txBytes;
    }

    /** True once the limit is reached. */
    public boolean done() {
        return sequence >= limit;
    }

    /** Frames the kernel has reported sent (completion ring). */
    public long completed() {
        return completed;
    }

    @Override
    public String roleName() {
        return "xsk-txonly";
    }
}
