package io.xdpmesh.control.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.ca.DevCa;
import io.xdpmesh.control.identity.IdentityStore;
import io.xdpmesh.control.identity.SvidFiles;
import io.xdpmesh.control.tls.CryptoProviders;
import io.xdpmesh.control.tls.SvidRejectedException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeafWarmupTest {
    private static final SpiffeId ID = SpiffeId.parse("spiffe://leaf.test/ns/w/sa/a");

    @BeforeAll
    static void providers() {
        CryptoProviders.install();
    }

    @Test
    void everyFreshLeafIsParsedAndVerifiedAgainstTheBundle(@TempDir Path dir) throws Exception {
        DevCa ca = DevCa.init(dir.resolve("ca"), "leaf.test", Duration.ofHours(1), true);
        IdentityStore store = new IdentityStore();
        ca.issue(DevCa.IssueSpec.valid(ID.toString(), Duration.ofHours(1)), dir.resolve("svid"));
        store.putBundle(SvidFiles.load(dir.resolve("svid")).bundle());
        assertEquals(12, LeafWarmup.run(ca, store, ID, 12, System.nanoTime() + 60_000_000_000L));
    }

    @Test
    void aLeafOfAnotherTrustDomainsCaIsRejected(@TempDir Path dir) throws Exception {
        DevCa ca = DevCa.init(dir.resolve("ca"), "leaf.test", Duration.ofHours(1), true);
        DevCa other = DevCa.init(dir.resolve("other"), "leaf.test", Duration.ofHours(1), true);
        IdentityStore store = new IdentityStore();
        other.issue(DevCa.IssueSpec.valid(ID.toString(), Duration.ofHours(1)), dir.resolve("svid"));
        store.putBundle(SvidFiles.load(dir.resolve("svid")).bundle());
        // same trust domain name, other CA: the verifier checks the chain, not only the name
        assertThrows(SvidRejectedException.class, () -> LeafWarmup.run(ca, store, ID, 3, System.nanoTime() + 60_000_000_000L));
    }
}
