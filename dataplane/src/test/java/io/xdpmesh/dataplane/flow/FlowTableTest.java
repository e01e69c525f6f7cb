package io.xdpmesh.dataplane.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xdpmesh.dataplane.parse.ParsedFrame;
import io.xdpmesh.dataplane.policy.Verdict;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlowTableTest {
    @TempDir
    Path dir;

    @Test
    void aReaderInAnotherMappingSeesCountsAndVerdicts() throws Exception {
        Path p = dir.resolve("flows.dat");
        try (FlowTable w = FlowTable.create(p, 64); FlowTable r = FlowTable.openReadOnly(p)) {
            long src = ParsedFrame.v4MappedLo(0x0a010101);
            long dst = ParsedFrame.v4MappedLo(0x0a010201);
            for (int i = 0; i < 5; i++) {
                w.record(0, src, 0, dst, 17, 1000, 53, Verdict.ENCRYPT.ordinal(), 0, 100, 1000 + i);
            }
            w.record(0x20010db800000000L, 1, 0x20010db800000000L, 2, 6, 40000, 443, Verdict.DENY.ordinal(), 1, 60, 2000);
            List<FlowRecord> flows = r.snapshot();
            assertEquals(2, flows.size());
            FlowRecord udp = flows.stream().filter(f -> f.protocol() == 17).findFirst().orElseThrow();
            assertEquals(InetAddress.getByName("10.1.1.1"), udp.src());
            assertEquals(5, udp.packets());
            assertEquals(500, udp.bytes());
            assertEquals(1000, udp.firstSeenMillis());
            assertEquals(1004, udp.lastSeenMillis());
            assertEquals(Verdict.ENCRYPT, udp.verdict());
            FlowRecord tcp = flows.stream().filter(f -> f.protocol() == 6).findFirst().orElseThrow();
            assertEquals(InetAddress.getByName("2001:db8::2"), tcp.dst());
            assertEquals(Verdict.DENY, tcp.verdict());
            assertEquals(1, tcp.direction());
        }
        Files.writeString(dir.resolve("bad.dat"), "x".repeat(4096));
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> FlowTable.openReadOnly(dir.resolve("bad.dat")));
    }

    @Test
    void aFlowThatDiffersInAnyFieldTakesTheSlotOverAndStartsFromOne() throws Exception {
        Path p = dir.resolve("one.dat");
        long src = ParsedFrame.v4MappedLo(0x0a010101);
        long dst = ParsedFrame.v4MappedLo(0x0a010201);
        int enc = Verdict.ENCRYPT.ordinal();
        // one slot: every flow lands in it; each line differs from the first in one field only
        long[][] variants = {
            {0, src, 0, dst, 17, 1000, 53, enc, 0},
            {1, src, 0, dst, 17, 1000, 53, enc, 0},
            {0, src + 1, 0, dst, 17, 1000, 53, enc, 0},
            {0, src, 1, dst, 17, 1000, 53, enc, 0},
            {0, src, 0, dst + 1, 17, 1000, 53, enc, 0},
            {0, src, 0, dst, 6, 1000, 53, enc, 0},
            {0, src, 0, dst, 17, 1001, 53, enc, 0},
            {0, src, 0, dst, 17, 1000, 54, enc, 0},
            {0, src, 0, dst, 17, 1000, 53, Verdict.DENY.ordinal(), 0},
            {0, src, 0, dst, 17, 1000, 53, enc, 1},
        };
        try (FlowTable w = FlowTable.create(p, 1); FlowTable r = FlowTable.openReadOnly(p)) {
            long now = 1000;
            for (long[] v : variants) {
                for (long[] first : new long[][] {variants[0], v}) {
                    for (int i = 0; i < 3; i++, now++) {
                        w.record(first[0], first[1], first[2], first[3], (int) first[4], (int) first[5], (int) first[6],
                                (int) first[7], (int) first[8], 10, now);
                    }
                }
                List<FlowRecord> flows = r.snapshot();
                assertEquals(1, flows.size());
                FlowRecord f = flows.get(0);
                long expect = v == variants[0] ? 6 : 3;
                assertEquals(expect, f.packets(), "packets after " + java.util.Arrays.toString(v));
                assertEquals(expect * 10, f.bytes());
                assertEquals(now - expect, f.firstSeenMillis(), "first seen restarts with the new flow");
                assertEquals(now - 1, f.lastSeenMillis());
                assertEquals(v[4], f.protocol());
            }
        }
    }
}
