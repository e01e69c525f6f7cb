package io.xdpmesh.dataplane.flow;

import io.xdpmesh.dataplane.policy.Verdict;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Per-flow packet and byte counts in a memory-mapped file that the CLI reads from its own process
 * without pausing the dataplane. Direct-mapped by the flow's 5-tuple (a colliding new flow takes
 * the slot over: it is a view of recent flows, not an audit log). One writer (a dataplane thread)
 * per file; every entry is guarded by a sequence number (odd while being written, a seqlock), so a
 * reader retries instead of seeing a torn entry.
 *
 * <pre>
 * header (64 B): int magic 'XMF1', int version, int slots, int entry size, long writer pid
 * entry (128 B): long seq, long srcHi, srcLo, dstHi, dstLo, int proto | verdict << 8 | direction << 16,
 *                int srcPort << 16 | dstPort, long packets, long bytes, long last seen ms, long first seen ms
 * </pre>
 */
public final class FlowTable implements AutoCloseable {
    public static final int MAGIC = 0x584d4631;
    public static final int VERSION = 1;
    static final int HEADER = 64;
    static final int ENTRY = 128;

    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buf;
    private final int mask;

    private FlowTable(Path path, MappedByteBuffer mapped, int slots) {
        this.path = path;
        this.mapped = mapped;
        this.buf = new UnsafeBuffer(mapped);
        this.mask = slots - 1;
    }

    public static FlowTable create(Path path, int slots) throws IOException {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("flow table slots must be a power of two: " + slots);
        }
        long total = HEADER + (long) slots * ENTRY;
        Path tmp = path.resolveSibling(path.getFileName() + ".new");
        Files.deleteIfExists(tmp);
        MappedByteBuffer mb;
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[1]), total - 1);
            mb = ch.map(FileChannel.MapMode.READ_WRITE, 0, total);
        }
        UnsafeBuffer h = new UnsafeBuffer(mb);
        h.putInt(4, VERSION);
        h.putInt(8, slots);
        h.putInt(12, ENTRY);
        h.putLong(16, ProcessHandle.current().pid());
        h.putIntVolatile(0, MAGIC);
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new FlowTable(path, mb, slots);
    }

    public static FlowTable openReadOnly(Path path) throws IOException {
        MappedByteBuffer mb = IoUtil.mapExistingFile(path.toFile(), FileChannel.MapMode.READ_ONLY, "flows");
        UnsafeBuffer h = new UnsafeBuffer(mb);
        if (h.getIntVolatile(0) != MAGIC || h.getInt(4) != VERSION || h.getInt(12) != ENTRY) {
            IoUtil.unmap(mb);
            throw new IOException(path + " is not an xdpmesh flow table (version " + VERSION + ")");
        }
        return new FlowTable(path, mb, h.getInt(8));
    }

    private static int hash(long sHi, long sLo, long dHi, long dLo, int proto, int ports) {
        long h = (sLo * 0x9E3779B97F4A7C15L) ^ (dLo * 0xC2B2AE3D27D4EB4FL) ^ sHi ^ (dHi >>> 3)
                ^ ((long) ports << 8 | proto) * 0x165667B19E3779F9L;
        h ^= h >>> 31;
        return (int) h;
    }

    /** Counts one packet of a flow. Single writer; allocation-free. */
    public void record(long sHi, long sLo, long dHi, long dLo, int proto, int srcPort, int dstPort,
            int verdict, int direction, int bytes, long nowMillis) {
        int ports = srcPort << 16 | dstPort;
        int meta = proto | verdict << 8 | direction << 16;
        int e = HEADER + (hash(sHi, sLo, dHi, dLo, proto, ports) & mask) * ENTRY;
        long seq = buf.getLong(e);
        buf.putLongRelease(e, seq + 1);
        if (buf.getLong(e + 8) == sHi && buf.getLong(e + 16) == sLo && buf.getLong(e + 24) == dHi
                && buf.getLong(e + 32) == dLo && buf.getInt(e + 40) == meta && buf.getInt(e + 44) == ports
                && buf.getLong(e + 48) != 0) {
            buf.putLong(e + 48, buf.getLong(e + 48) + 1);
            buf.putLong(e + 56, buf.getLong(e + 56) + bytes);
        } else {
            buf.putLong(e + 8, sHi);
            buf.putLong(e + 16, sLo);
            buf.putLong(e + 24, dHi);
            buf.putLong(e + 32, dLo);
            buf.putInt(e + 40, meta);
            buf.putInt(e + 44, ports);
            buf.putLong(e + 48, 1);
            buf.putLong(e + 56, bytes);
            buf.putLong(e + 72, nowMillis);
        }
        buf.putLong(e + 64, nowMillis);
        buf.putLongRelease(e, seq + 2);
    }

    /** Every live flow, each read consistently (retried while its writer is inside it). */
    public List<FlowRecord> snapshot() {
        List<FlowRecord> out = new ArrayList<>();
        for (int i = 0; i <= mask; i++) {
            int e = HEADER + i * ENTRY;
            for (int attempt = 0; attempt < 1000; attempt++) {
                long s1 = buf.getLongAcquire(e);
                if ((s1 & 1) != 0) {
                    Thread.onSpinWait();
                    continue;
                }
                long sHi = buf.getLong(e + 8);
                long sLo = buf.getLong(e + 16);
                long dHi = buf.getLong(e + 24);
                long dLo = buf.getLong(e + 32);
                int meta = buf.getInt(e + 40);
                int ports = buf.getInt(e + 44);
                long packets = buf.getLong(e + 48);
                long bytes = buf.getLong(e + 56);
                long last = buf.getLong(e + 64);
                long first = buf.getLong(e + 72);
                java.lang.invoke.VarHandle.acquireFence();
                if (buf.getLongAcquire(e) != s1) {
                    continue;
                }
                if (packets != 0) {
                    int v = (meta >>> 8) & 0xff;
                    out.add(new FlowRecord(FlowRecord.address(sHi, sLo), FlowRecord.address(dHi, dLo), meta & 0xff,
                            ports >>> 16, ports & 0xffff, packets, bytes, first, last,
                            v < Verdict.values().length ? Verdict.ofOrdinal(v) : null, (meta >>> 16) & 0xff));
                }
                break;
            }
        }
        return out;
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        IoUtil.unmap(mapped);
    }
}
