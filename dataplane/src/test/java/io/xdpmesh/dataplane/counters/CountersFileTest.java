package io.xdpmesh.dataplane.counters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.dataplane.parse.ParseVerdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CountersFileTest {
    @Test
    void aReaderSeesTheWritersDropCountersByLabel(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("counters.dat");
        try (CountersFile w = CountersFile.create(f, 256)) {
            DropCounters drops = new DropCounters(w.manager());
            drops.drop(DropReason.POLICY_DENY);
            drops.drop(DropReason.POLICY_DENY);
            drops.drop(DropReason.of(ParseVerdict.NOT_IP), 5);
            try (CountersFile r = CountersFile.openReadOnly(f)) {
                Map<String, Long> seen = new HashMap<>();
                r.reader().forEach((value, id, label) -> seen.put(label, value));
                assertEquals(2L, seen.get("drop.policy_deny"));
                assertEquals(5L, seen.get("drop.malformed_not_ip"));
                assertEquals(DropReason.values().length, seen.size());
                assertEquals(ProcessHandle.current().pid(), r.writerPid());
                assertTrue(r.writerAlive());
            }
        }
    }

    @Test
    void everyParseFailureHasADropReason() {
        for (ParseVerdict v : ParseVerdict.values()) {
            if (v != ParseVerdict.OK) {
                assertEquals("MALFORMED_" + v.name(), DropReason.of(v).name());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> DropReason.of(ParseVerdict.OK));
    }

    @Test
    void readerRejectsFilesThatAreNotCounters(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("junk");
        Files.write(f, new byte[8192]);
        assertTrue(assertThrows(IllegalStateException.class, () -> CountersFile.openReadOnly(f)).getMessage()
                .contains("not an xdpmesh counters file"));
        assertTrue(assertThrows(IOException.class, () -> CountersFile.openReadOnly(dir.resolve("none")))
                .getMessage().contains("is the agent running"));
    }
}
