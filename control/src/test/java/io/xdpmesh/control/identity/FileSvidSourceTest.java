package io.xdpmesh.control.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.ca.DevCa;
import io.xdpmesh.control.ca.SvidLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** spiffe-helper's layout on disk: load, rotation events, no event without a change, half-written files. */
class FileSvidSourceTest {
    @TempDir
    Path dir;

    @Test
    void loadsRotatesAndIgnoresNonChanges() throws Exception {
        DevCa ca = DevCa.init(dir.resolve("ca"), "fs.test", Duration.ofDays(1), true);
        Path root = Files.createDirectories(dir.resolve("svids"));
        String id = "spiffe://fs.test/ns/a/sa/a";
        ca.issue(DevCa.IssueSpec.valid(id, Duration.ofHours(1)), root.resolve("a"));
        IdentityStore store = new IdentityStore();
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        store.addListener((sid, prev, cur) -> events.add((prev == null ? "new " : "rotated ") + sid));
        try (FileSvidSource src = new FileSvidSource(root, store, 100)) {
            src.start();
            assertEquals("new " + id, events.poll(5, TimeUnit.SECONDS));

            // Rewriting identical content (touch) is no rotation.
            Path svid = SvidLayout.svid(root.resolve("a"));
            Files.setLastModifiedTime(svid, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
            src.scanAll();
            assertNull(events.poll(500, TimeUnit.MILLISECONDS));

            // A half-written rotation (new key, old certificate) keeps the old SVID.
            ca.issue(DevCa.IssueSpec.valid(id, Duration.ofHours(2)), dir.resolve("next"));
            Files.copy(SvidLayout.key(dir.resolve("next")), SvidLayout.key(root.resolve("a")), StandardCopyOption.REPLACE_EXISTING);
            src.scanAll();
            assertNull(events.poll(300, TimeUnit.MILLISECONDS));
            assertTrue(src.loadFailures() >= 1);
            // ... and the certificate arriving completes it: one rotation (picked up by the watcher).
            Files.copy(SvidLayout.svid(dir.resolve("next")), svid,
                    StandardCopyOption.REPLACE_EXISTING);
            assertEquals("rotated " + id, events.poll(10, TimeUnit.SECONDS));
            assertEquals(1, src.rotations());
            assertEquals(SpiffeId.parse(id), store.current(SpiffeId.parse(id)).orElseThrow().svid().getSpiffeId());

            // A new identity directory appears.
            ca.issue(DevCa.IssueSpec.valid("spiffe://fs.test/ns/b/sa/b", Duration.ofHours(1)), root.resolve("b"));
            assertEquals("new spiffe://fs.test/ns/b/sa/b", events.poll(10, TimeUnit.SECONDS));
        }
    }
}
