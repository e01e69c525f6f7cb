package io.xdpmesh.control.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.ca.DevCa;
import io.xdpmesh.control.identity.IdentityStore;
import io.xdpmesh.control.identity.SvidFiles;
import io.xdpmesh.control.tls.NodeBinding;
import io.xdpmesh.control.tls.TlsSetup;
import io.xdpmesh.dataplane.session.Aeads;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

/** The in-memory warm-up runs complete, verified TLS 1.3 handshakes through the agent's own set-up. */
class EngineWarmupTest extends LoopbackPair {
    private IdentityStore store(String id, String name) throws Exception {
        Path p = dir.resolve(name);
        ca.issue(DevCa.IssueSpec.valid(id, Duration.ofHours(1)), p);
        SvidFiles.Loaded l = SvidFiles.load(p);
        IdentityStore s = new IdentityStore();
        s.putBundle(l.bundle());
        s.put(l.svid());
        return s;
    }

    @Test
    void handshakesCompleteWithBothPeersVerifiedAndKeysExported() throws Exception {
        IdentityStore a = store(A, "a");
        IdentityStore b = store(B, "b");
        SpiffeId[] as = {SpiffeId.parse(A)};
        SpiffeId[] bs = {SpiffeId.parse(B)};
        // run() throws unless each handshake finished with both sides' trust managers verifying the peer
        int n = EngineWarmup.run(() -> new TlsSetup[] {new TlsSetup(a, NodeBinding.ANY, null), new TlsSetup(b, NodeBinding.ANY, null)},
                as, bs, 5, Long.MAX_VALUE, Aeads::create);
        assertEquals(5, n);
    }

    @Test
    void aPeerOutsideTheTrustBundleFailsTheWarmupInsteadOfCountingIt() throws Exception {
        IdentityStore a = store(A, "a");
        DevCa rogue = DevCa.init(dir.resolve("rogue"), TD, Duration.ofDays(1), true);
        Path p = dir.resolve("rb");
        rogue.issue(DevCa.IssueSpec.valid(B, Duration.ofHours(1)), p);
        SvidFiles.Loaded l = SvidFiles.load(p);
        IdentityStore b = new IdentityStore();
        b.putBundle(l.bundle());
        b.put(l.svid());
        assertThrows(SSLException.class, () -> EngineWarmup.run(
                () -> new TlsSetup[] {new TlsSetup(a, NodeBinding.ANY, null), new TlsSetup(b, NodeBinding.ANY, null)},
                new SpiffeId[] {SpiffeId.parse(A)}, new SpiffeId[] {SpiffeId.parse(B)}, 1, Long.MAX_VALUE, Aeads::create));
    }
}
