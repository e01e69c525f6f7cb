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
 * without pausing the dataplane. The file has one region per dataplane thread ({@link #region}),
 * each with exactly one writer, so the hot path takes no lock and shares no cache line with another
 * thread. Each region is direct-mapped by the flow's 5-tuple (a colliding new flow takes the slot
 * over: it is a view of recent flows, not an audit log); every entry is guarded by a sequence
 * number (odd while being written, a seqlock), so a reader retries instead of seeing a torn entry.
 * {@link #snapshot()} reads every region and merges a flow seen by several threads
 * ({@link FlowMerge}).
 *
 * <pre>
 * header (64 B): int magic 'XMF1', int version, int slots (per region), int entry size, long writer pid,
 *                int regions
 * region r at HEADER + r * slots * ENTRY, entry (128 B): long seq, long srcHi, srcLo, dstHi, dstLo,
 *                int proto | verdict << 8 | direction << 16, int srcPort << 16 | dstPort, long packets,
 *                long bytes, long last seen ms, long first seen ms
 * </pre>
 */
public final class FlowTable implements AutoCloseable {
    public static final int MAGIC = 0x584d4631;
    /** 2: regions (one writer each) after the single-writer layout of 1. */
    public static final int VERSION = 2;
    static final int HEADER = 64;
    static final int ENTRY = 128;
    /** More than DataplaneConfig allows threads: a bad header never maps a huge region count. */
    static final int MAX_REGIONS = 64;

    private final Path path;
    /** Null in a region view: the table that created it owns (and unmaps) the mapping. */
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buf;
    private final int mask;
    private final int regions;
    /** Offset of this view's region (the writer side); 0 for the whole table. */
    private final int base;

    private FlowTable(Path path, MappedByteBuffer mapped, UnsafeBuffer buf, int slots, int regions, int base) {
        this.path = path;
        this.mapped = mapped;
        this.buf = buf;
        this.mask = slots - 1;
        this.regions = regions;
        this.base = base;
    }

    /** A table with one region (one writer). */
    public static FlowTable create(Path path, int slots) throws IOException {
        return create(path, slots, 1);
    }

    /** A table with a region of {@code slots} entries for each of {@code regions} writers. */
    public static FlowTable create(Path path, int slots, int regions) throws IOException {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("flow table slots must be a power of two: " + slots);
        }
        if (regions < 1 || regions > MAX_REGIONS) {
            throw new IllegalArgumentException("flow table regions must be 1.." + MAX_REGIONS + ": " + regions);
        }
        long total = HEADER + (long) regions * slots * ENTRY;
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("flow table too large: " + regions + " x " + slots + " slots");
        }
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
        h.putInt(24, regions);
        h.putIntVolatile(0, MAGIC);
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new FlowTable(path, mb, h, slots, regions, HEADER);
    }

    public static FlowTable openReadOnly(Path path) throws IOException {
        MappedByteBuffer mb = IoUtil.mapExistingFile(path.toFile(), FileChannel.MapMode.READ_ONLY, "flows");
        UnsafeBuffer h = new UnsafeBuffer(mb);
        int slots = mb.capacity() >= HEADER ? h.getInt(8) : 0;
        int regions = mb.capacity() >= HEADER ? h.getInt(24) : 0;
        if (mb.capacity() < HEADER || h.getIntVolatile(0) != MAGIC || h.getInt(4) != VERSION || h.getInt(12) != ENTRY
                || Integer.bitCount(slots) != 1 || regions < 1 || regions > MAX_REGIONS
                || HEADER + (long) regions * slots * ENTRY > mb.capacity()) {
            IoUtil.unmap(mb);
            throw new IOException(path + " is not an xdpmesh flow table (version " + VERSION + ")");
        }
        return new FlowTable(path, mb, h, slots, regions, HEADER);
    }

    /**
     * The writer view of region r (one dataplane thread's): {@link #record} writes there only. It
     * shares this table's mapping; close the table, not the view.
     */
    public FlowTable region(int r) {
        if (r < 0 || r >= regions) {
            throw new IndexOutOfBoundsException("region " + r + " of " + regions);
        }
        return new FlowTable(path, null, buf, mask + 1, 1, HEADER + r * (mask + 1) * ENTRY);
    }

    /** How many writer regions the file has. */
    public int regions() {
        return regions;
    }

    private static int hash(long sHi, long sLo, long dHi, long dLo, int proto, int ports) {
        long h = (sLo * 0x9E3779B97F4A7C15L) ^ (dLo * 0xC2B2AE3D27D4EB4FL) ^ sHi ^ (dHi >>> 3)
                ^ ((long) ports << 8 | proto) * 0x165667B19E3779F9L;
        h ^= h >>> 31;
        return (int) h;
    }

    /** Counts one packet of a flow in this view's region (the first of the table). Single writer; allocation-free. */
    public void record(long sHi, long sLo, long dHi, long dLo, int proto, int srcPort, int dstPort,
            int verdict, int direction, int bytes, long nowMillis) {
        int ports = srcPort << 16 | dstPort;
        int meta = proto | verdict << 8 | direction << 16;
        int e = base + (hash(sHi, sLo, dHi, dLo, proto, ports) & mask) * ENTRY;
        long seq = buf.getLong(e);
        buf.putLongRelease(e, seq + 1);
        // Branch-free on purpose: a chain of && compiled with a condition never false during warm-up
        // as an uncommon trap, and the first flow that hit it deoptimized the dataplane thread's whole
        // inlined path (cipher included) back to the interpreter, which allocates.
        long count = buf.getLong(e + 48);
        long diff = (buf.getLong(e + 8) ^ sHi) | (buf.getLong(e + 16) ^ sLo) | (buf.getLong(e + 24) ^ dHi)
                | (buf.getLong(e + 32) ^ dLo) | (buf.getInt(e + 40) ^ meta) | (buf.getInt(e + 44) ^ ports)
                | ((count - 1) >>> 63); // count 0: an empty slot never matches
        long other = (diff | -diff) >> 63; // all ones: another flow (or none) had the slot
        buf.putLong(e + 8, sHi);
        buf.putLong(e + 16, sLo);
        buf.putLong(e + 24, dHi);
        buf.putLong(e + 32, dLo);
        buf.putInt(e + 40, meta);
        buf.putInt(e + 44, ports);
        buf.putLong(e + 48, ((count + 1) & ~other) | (1 & other));
        buf.putLong(e + 56, ((buf.getLong(e + 56) + bytes) & ~other) | (bytes & other));
        buf.putLong(e + 72, (buf.getLong(e + 72) & ~other) | (nowMillis & other));
        buf.putLong(e + 64, nowMillis);
        buf.putLongRelease(e, seq + 2);
    }

    /**
     * Every live flow of every region, each entry read consistently (retried while its writer is
     * inside it); a flow several threads saw is one record ({@link FlowMerge}).
     */
    public List<FlowRecord> snapshot() {
        List<List<FlowRecord>> byRegion = new ArrayList<>(regions);
        for (int r = 0; r < regions; r++) {
            byRegion.add(snapshot(r));
        }
        return FlowMerge.merge(byRegion);
    }

    /** The live flows of region r as its writer left them (not merged). */
    public List<FlowRecord> snapshot(int r) {
        if (r < 0 || r >= regions) {
            throw new IndexOutOfBoundsException("region " + r + " of " + regions);
        }
        List<FlowRecord> out = new ArrayList<>();
        int start = base + r * (mask + 1) * ENTRY;
        for (int i = 0; i <= mask; i++) {
            int e = start + i * ENTRY;
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
        if (mapped != null) {
            IoUtil.unmap(mapped);
        }
    }
}
