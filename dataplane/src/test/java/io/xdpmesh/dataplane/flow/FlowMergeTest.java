package io.xdpmesh.dataplane.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.xdpmesh.dataplane.parse.ParsedFrame;
import io.xdpmesh.dataplane.policy.Verdict;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlowMergeTest {
    @TempDir
    Path dir;

    private static FlowRecord flow(String src, int sport, String dst, int dport, int direction, long packets, long bytes,
            long first, long last, Verdict v) throws Exception {
        return new FlowRecord(InetAddress.getByName(src), InetAddress.getByName(dst), 6, sport, dport, packets, bytes,
                first, last, v, direction);
    }

    @Test
    void aFlowSeenByTwoThreadsIsOneRecordWithSummedCountsAndTheLatestTimes() throws Exception {
        FlowRecord t0 = flow("10.1.1.1", 40000, "10.1.2.1", 5201, 0, 10, 1000, 100, 500, Verdict.AUTH);
        FlowRecord t1 = flow("10.1.1.1", 40000, "10.1.2.1", 5201, 0, 3, 300, 50, 900, Verdict.ENCRYPT);
        FlowRecord only0 = flow("10.1.1.1", 40001, "10.1.2.1", 5201, 0, 7, 70, 10, 20, Verdict.ENCRYPT);
        // same 5-tuple, other direction: a different flow
        FlowRecord ingress1 = flow("10.1.1.1", 40000, "10.1.2.1", 5201, 1, 2, 20, 30, 40, Verdict.ENCRYPT);
        List<FlowRecord> m = FlowMerge.merge(List.of(List.of(t0, only0), List.of(t1, ingress1)));
        assertEquals(3, m.size());
        FlowRecord both = m.stream().filter(f -> f.srcPort() == 40000 && f.direction() == 0).findFirst().orElseThrow();
        assertEquals(13, both.packets());
        assertEquals(1300, both.bytes());
        assertEquals(50, both.firstSeenMillis());
        assertEquals(900, both.lastSeenMillis());
        assertEquals(Verdict.ENCRYPT, both.verdict(), "the verdict of the newest record");
        assertEquals(only0, m.stream().filter(f -> f.srcPort() == 40001).findFirst().orElseThrow());
        assertEquals(ingress1, m.stream().filter(f -> f.direction() == 1).findFirst().orElseThrow());
        // order of the inputs does not matter for the result
        FlowRecord rev = FlowMerge.merge(List.of(List.of(t1), List.of(t0))).getFirst();
        assertEquals(both, rev);
    }

    @Test
    void eachThreadWritesItsOwnRegionAndTheReaderMergesThem() throws Exception {
        Path p = dir.resolve("flows.dat");
        long src = ParsedFrame.v4MappedLo(0x0a010101);
        long dst = ParsedFrame.v4MappedLo(0x0a010201);
        try (FlowTable w = FlowTable.create(p, 64, 2); FlowTable r = FlowTable.openReadOnly(p)) {
            assertEquals(2, r.regions());
            FlowTable w0 = w.region(0);
            FlowTable w1 = w.region(1);
            for (int i = 0; i < 4; i++) {
                w0.record(0, src, 0, dst, 17, 1000, 53, Verdict.ENCRYPT.ordinal(), 0, 100, 1000 + i);
            }
            for (int i = 0; i < 6; i++) {
                w1.record(0, src, 0, dst, 17, 1000, 53, Verdict.ENCRYPT.ordinal(), 0, 50, 2000 + i);
            }
            w1.record(0, dst, 0, src, 17, 53, 1000, Verdict.ENCRYPT.ordinal(), 1, 80, 3000); // thread 1 only
            assertEquals(1, r.snapshot(0).size());
            assertEquals(2, r.snapshot(1).size());
            List<FlowRecord> flows = r.snapshot();
            assertEquals(2, flows.size());
            FlowRecord out = flows.stream().filter(f -> f.direction() == 0).findFirst().orElseThrow();
            assertEquals(10, out.packets());
            assertEquals(700, out.bytes());
            assertEquals(1000, out.firstSeenMillis());
            assertEquals(2005, out.lastSeenMillis());
            FlowRecord in = flows.stream().filter(f -> f.direction() == 1).findFirst().orElseThrow();
            assertEquals(1, in.packets());
            assertEquals(InetAddress.getByName("10.1.2.1"), in.src());
            assertThrows(IndexOutOfBoundsException.class, () -> w.region(2));
            assertThrows(IndexOutOfBoundsException.class, () -> r.snapshot(2));
        }
        assertThrows(IllegalArgumentException.class, () -> FlowTable.create(dir.resolve("x.dat"), 64, 0));
    }
}
