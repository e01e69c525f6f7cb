package io.xdpmesh.control.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.ca.DevCa;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityStoreTest {
    @TempDir
    Path dir;

    @Test
    void rotatingOneIdentityKeepsEveryOtherIdentitysCurrentGeneration() throws Exception {
        DevCa ca = DevCa.init(dir.resolve("ca"), "store.test", Duration.ofDays(1), true);
        String a = "spiffe://store.test/ns/x/sa/a";
        String b = "spiffe://store.test/ns/x/sa/b";
        IdentityStore store = new IdentityStore();
        ca.issue(DevCa.IssueSpec.valid(b, Duration.ofHours(1)), dir.resolve("b"));
        store.put(SvidFiles.load(dir.resolve("b")).svid());
        long bGeneration = store.current(SpiffeId.parse(b)).orElseThrow().generation();
        long[] aGenerations = new long[3];
        for (int i = 0; i < 3; i++) {
            ca.issue(DevCa.IssueSpec.valid(a, Duration.ofHours(1 + i)), dir.resolve("a" + i));
            store.put(SvidFiles.load(dir.resolve("a" + i)).svid());
            aGenerations[i] = store.current(SpiffeId.parse(a)).orElseThrow().generation();
        }
        // b never rotated: the key manager must still find its chain and key by generation.
        assertTrue(store.generation(bGeneration).isPresent(), "b's current generation survives a's rotations");
        assertEquals(b, store.generation(bGeneration).get().svid().getSpiffeId().toString());
        assertTrue(store.generation(aGenerations[2]).isPresent(), "a's current");
        assertTrue(store.generation(aGenerations[1]).isPresent(), "a's previous (a handshake may have picked it)");
        assertFalse(store.generation(aGenerations[0]).isPresent(), "a's older generations go");
    }
}
