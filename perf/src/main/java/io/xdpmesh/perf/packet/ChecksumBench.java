package io.xdpmesh.perf.packet;

import io.xdpmesh.dataplane.packet.Checksums;
import io.xdpmesh.dataplane.packet.Mem;
import io.xdpmesh.dataplane.packet.TunnelHeaders;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The per-packet checksum work of the sealing path, each next to what it replaced:
 * <ul>
 *   <li>{@code completeComplete} - completing a pod frame whose UDP checksum is already complete
 *       (the generator's frames, a sender with offload off): a compare, versus {@code recompute},
 *       the full recomputation every frame used to get;
 *   <li>{@code completePartial} - a frame veth left partial (summed either way);
 *   <li>{@code outerHeader} - the outer Ethernet/IPv4/UDP header from the template with the IPv4
 *       checksum from the template's sum, versus {@code outerHeaderFullSum} (copy, then sum the 20
 *       bytes per packet as before);
 *   <li>{@code sum} - the payload sum of a segment.
 * </ul>
 * perf/run has no result line for this: development aid (java -cp ... org.openjdk.jmh.Main ChecksumBench).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChecksumBench {
    @Param({"64", "1400"})
    public int size;

    private Arena arena;
    private long a;
    private long ip;
    private long udp;
    private int udpLen;
    private int full;
    private int partial;
    private TunnelHeaders headers;
    private long outer;
    private long template;

    @Setup
    public void setup() {
        arena = Arena.ofConfined();
        MemorySegment m = arena.allocate(8192, 64);
        a = m.address();
        ip = a + 14;
        udpLen = size - 14 - 20;
        Mem.putBe16(ip, 0x4500);
        Mem.putBe16(ip + 2, 20 + udpLen);
        Mem.put8(ip + 8, 64);
        Mem.put8(ip + 9, 17);
        Mem.putBe32(ip + 12, 0x0a010101);
        Mem.putBe32(ip + 16, 0x0a010201);
        Checksums.ipv4Header(ip, 20);
        udp = ip + 20;
        Mem.putBe16(udp, 1234);
        Mem.putBe16(udp + 2, 9);
        Mem.putBe16(udp + 4, udpLen);
        for (int i = 8; i < udpLen; i++) {
            Mem.put8(udp + i, i * 31);
        }
        Mem.putBe16(udp + 6, 0x1111);
        Checksums.recomputeL4(ip, 4, 17, udp, udpLen);
        full = Mem.be16(udp + 6);
        partial = Checksums.fold(Checksums.pseudo(ip, 4, 17, udpLen));
        headers = new TunnelHeaders(1);
        headers.build(0, 0x020000000001L, 0x020000000002L, new byte[] {10, 0, 0, 1}, new byte[] {10, 0, 0, 2},
                51871, 51871);
        outer = a + 4096;
        template = a + 6144;
        headers.write(0, template, 100); // a copy of the template to replay the old way from
    }

    @TearDown
    public void close() {
        arena.close();
    }

    @Benchmark
    public int completeComplete() {
        Mem.putBe16(udp + 6, full);
        Checksums.completeL4(ip, 4, 17, udp, udpLen);
        return Mem.be16(udp + 6);
    }

    @Benchmark
    public int completePartial() {
        Mem.putBe16(udp + 6, partial);
        Checksums.completeL4(ip, 4, 17, udp, udpLen);
        return Mem.be16(udp + 6);
    }

    @Benchmark
    public int recompute() {
        Mem.putBe16(udp + 6, full);
        Checksums.recomputeL4(ip, 4, 17, udp, udpLen);
        return Mem.be16(udp + 6);
    }

    @Benchmark
    public int outerHeader() {
        return headers.write(0, outer, size + 32);
    }

    private int id;

    @Benchmark
    public int outerHeaderFullSum() {
        Mem.copy(template, outer, TunnelHeaders.V4_LEN);
        long h = outer + 14;
        Mem.putBe16(h + 2, 28 + size + 32);
        Mem.putBe16(h + 4, id++ & 0xffff);
        Checksums.ipv4Header(h, 20);
        Mem.putBe16(h + 24, 8 + size + 32);
        return TunnelHeaders.V4_LEN + size + 32;
    }

    @Benchmark
    public int sum() {
        return Checksums.sum(udp, udpLen);
    }
}
