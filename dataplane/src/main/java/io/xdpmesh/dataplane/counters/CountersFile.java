package io.xdpmesh.dataplane.counters;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * The counters file an agent publishes and the CLI reads from its own process (Aeron's CnC and
 * AeronStat pattern): a header, then Agrona's counter metadata and values regions. The writer
 * never waits for readers and readers never stop the writer.
 *
 * <pre>
 * 0   int  magic 'XMC1'
 * 4   int  layout version
 * 8   long writer pid
 * 16  long start time, epoch ms
 * 24  int  metadata length
 * 28  int  values length
 * 4096     metadata, then values
 * </pre>
 */
public final class CountersFile implements AutoCloseable {
    public static final int MAGIC = 0x584d4331; // "XMC1"
    public static final int VERSION = 1;
    static final int HEADER_LENGTH = 4096;

    private final Path path;
    private final MappedByteBuffer mapped;
    private final CountersReader reader;
    private final CountersManager manager;
    private final long pid;
    private final long startMillis;

    private CountersFile(Path path, MappedByteBuffer mapped, boolean writable) {
        this.path = path;
        this.mapped = mapped;
        UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        if (header.getInt(0) != MAGIC) {
            throw new IllegalStateException(path + " is not an xdpmesh counters file");
        }
        if (header.getInt(4) != VERSION) {
            throw new IllegalStateException(path + " has counters layout " + header.getInt(4) + ", this build reads " + VERSION);
        }
        this.pid = header.getLong(8);
        this.startMillis = header.getLong(16);
        int metaLen = header.getInt(24);
        int valuesLen = header.getInt(28);
        UnsafeBuffer meta = new UnsafeBuffer(mapped, HEADER_LENGTH, metaLen);
        UnsafeBuffer values = new UnsafeBuffer(mapped, HEADER_LENGTH + metaLen, valuesLen);
        this.reader = new CountersReader(meta, values);
        this.manager = writable ? new CountersManager(meta, values) : null;
    }

    /** Creates (replacing any old one) a counters file with room for {@code maxCounters}. */
    public static CountersFile create(Path path, int maxCounters) throws IOException {
        int valuesLen = org.agrona.BitUtil.align(maxCounters * CountersReader.COUNTER_LENGTH, 4096);
        int metaLen = valuesLen * (CountersReader.METADATA_LENGTH / CountersReader.COUNTER_LENGTH);
        long total = HEADER_LENGTH + (long) metaLen + valuesLen;
        Path tmp = path.resolveSibling(path.getFileName() + ".new");
        Files.deleteIfExists(tmp);
        MappedByteBuffer mb;
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.truncate(total);
            ch.write(java.nio.ByteBuffer.wrap(new byte[1]), total - 1);
            mb = ch.map(FileChannel.MapMode.READ_WRITE, 0, total);
        }
        mb.order(ByteOrder.nativeOrder());
        UnsafeBuffer header = new UnsafeBuffer(mb, 0, HEADER_LENGTH);
        header.putInt(4, VERSION);
        header.putLong(8, ProcessHandle.current().pid());
        header.putLong(16, System.currentTimeMillis());
        header.putInt(24, metaLen);
        header.putInt(28, valuesLen);
        header.putIntVolatile(0, MAGIC); // last: a reader never sees a half-written header
        // Readers open the final name only once it is complete.
        Files.move(tmp, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return new CountersFile(path, mb, true);
    }

    /** Maps an existing counters file read-only, for the CLI. */
    public static CountersFile openReadOnly(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new IOException(path + " does not exist: is the agent running with this state directory?");
        }
        MappedByteBuffer mb = IoUtil.mapExistingFile(path.toFile(), FileChannel.MapMode.READ_ONLY, "counters");
        return new CountersFile(path, mb, false);
    }

    /** For the writer (the agent); null on a read-only mapping. */
    public CountersManager manager() {
        return manager;
    }

    public CountersReader reader() {
        return reader;
    }

    public long writerPid() {
        return pid;
    }

    public long startMillis() {
        return startMillis;
    }

    public boolean writerAlive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        IoUtil.unmap(mapped);
    }
}
