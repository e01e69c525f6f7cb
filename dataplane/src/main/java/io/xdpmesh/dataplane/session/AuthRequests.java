package io.xdpmesh.dataplane.session;

import io.xdpmesh.dataplane.policy.Verdict;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Dataplane -> control plane: one request per pair whose first frame was held. An Agrona
 * many-to-one ring buffer (several dataplane threads may share it; the control plane is the one
 * reader). Writing copies precomputed name bytes into the ring: no allocation, no lock.
 *
 * <pre>
 * record (type 1): int verdict ordinal, int generation, long pair key, long held-at nanoTime,
 *                  then three (u16 length, UTF-8 bytes): local SPIFFE ID, remote SPIFFE ID, remote node
 * </pre>
 */
public final class AuthRequests {
    public static final int MSG_AUTH = 1;
    private final ManyToOneRingBuffer ring;
    /** The reader while it is parked waiting for requests (need-wakeup style: null while it polls). */
    private volatile Thread waiter;
    private final java.util.concurrent.atomic.AtomicLong wakeups = new java.util.concurrent.atomic.AtomicLong();

    public AuthRequests(int capacityBytes) {
        int cap = Integer.highestOneBit(Math.max(4096, capacityBytes - 1)) << 1;
        ByteBuffer bb = BufferUtil.allocateDirectAligned(cap + RingBufferDescriptor.TRAILER_LENGTH, 64);
        ring = new ManyToOneRingBuffer(new UnsafeBuffer(bb));
    }

    /** Dataplane side; false when the ring is full (the caller counts it). Allocation-free. */
    public boolean offer(int verdictOrdinal, int generation, long pairKey, long heldAtNanos, byte[] localId,
            byte[] remoteId, byte[] remoteNode) {
        int len = 24 + 6 + localId.length + remoteId.length + remoteNode.length;
        int at = ring.tryClaim(MSG_AUTH, len);
        if (at <= 0) {
            return false;
        }
        var b = ring.buffer();
        b.putInt(at, verdictOrdinal);
        b.putInt(at + 4, generation);
        b.putLong(at + 8, pairKey);
        b.putLong(at + 16, heldAtNanos);
        int p = at + 24;
        p = putName(b, p, localId);
        p = putName(b, p, remoteId);
        putName(b, p, remoteNode);
        ring.commit(at);
        // Once per request (a new pair), not per packet: wake the reader only if it is parked.
        VarHandle.fullFence();
        Thread w = waiter;
        if (w != null) {
            wakeups.incrementAndGet();
            LockSupport.unpark(w);
        }
        return true;
    }

    /**
     * Control side: {@link #poll}, and when nothing is waiting, parks up to {@code maxWaitNanos}
     * until the dataplane offers a request (it unparks the reader only while it is parked here).
     */
    public int pollOrWait(Consumer<AuthRequest> handler, int limit, long maxWaitNanos) {
        int n = poll(handler, limit);
        if (n > 0) {
            return n;
        }
        waiter = Thread.currentThread();
        try {
            VarHandle.fullFence();
            n = poll(handler, limit);
            if (n > 0) {
                return n;
            }
            LockSupport.parkNanos(this, maxWaitNanos);
        } finally {
            waiter = null;
        }
        return poll(handler, limit);
    }

    private static int putName(org.agrona.concurrent.AtomicBuffer b, int p, byte[] name) {
        b.putShort(p, (short) name.length);
        b.putBytes(p + 2, name);
        return p + 2 + name.length;
    }

    /** Control side: hands up to limit waiting requests to handler; returns how many. */
    public int poll(Consumer<AuthRequest> handler, int limit) {
        return ring.read((type, buf, at, len) -> {
            if (type != MSG_AUTH) {
                return;
            }
            int verdict = buf.getInt(at);
            int generation = buf.getInt(at + 4);
            long key = buf.getLong(at + 8);
            long heldAt = buf.getLong(at + 16);
            int p = at + 24;
            String[] names = new String[3];
            for (int i = 0; i < 3; i++) {
                int n = buf.getShort(p) & 0xffff;
                byte[] bytes = new byte[n];
                buf.getBytes(p + 2, bytes);
                names[i] = new String(bytes, StandardCharsets.UTF_8);
                p += 2 + n;
            }
            handler.accept(new AuthRequest(names[0], names[1], names[2], Verdict.ofOrdinal(verdict), key, generation,
                    heldAt));
        }, limit);
    }

    /** True while the reader is parked in {@link #pollOrWait}. */
    public boolean readerWaiting() {
        return waiter != null;
    }

    /** Offers that found the reader parked and woke it (diagnostics). */
    public long wakeups() {
        return wakeups.get();
    }

    /** Bytes waiting (diagnostics). */
    public int size() {
        return ring.size();
    }

    RingBuffer ring() {
        return ring;
    }
}
