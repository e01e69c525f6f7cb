package io.xdpmesh.control.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.session.EstablishedSession;
import io.xdpmesh.control.session.IdentityPair;
import io.xdpmesh.crypto.transport.Keypair;
import io.xdpmesh.dataplane.session.Aeads;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarmupSinkTest {
    private static final SpiffeId A = SpiffeId.parse("spiffe://warm.test/ns/w/sa/a0");
    private static final SpiffeId B = SpiffeId.parse("spiffe://warm.test/ns/w/sa/b0");

    @Test
    void sessionsGoThroughTheAgentsSinkAndTheirKeypairsAreReleased(@TempDir Path dir) throws Exception {
        Keypair kp = new Keypair(Aeads.create(new byte[32]), Aeads.create(new byte[32]), 5, 6, true, System.nanoTime());
        Instant later = Instant.now().plusSeconds(600);
        try (WarmupSink sink = new WarmupSink(dir, "warm.test", new SpiffeId[] {A}, new SpiffeId[] {B})) {
            assertTrue(Files.exists(dir.resolve("warmup-auth-cache.dat")), "the sink writes a cache of its own");
            sink.sink().install(new EstablishedSession(new IdentityPair(A, B),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 4250), true, 1, kp, later, later, later));
            assertFalse(kp.isInvalidated(), "queued for the dataplane, not yet released");
            assertEquals(1, sink.drain());
            assertTrue(kp.isInvalidated(), "released as the dataplane releases a keypair it rejects");
            assertEquals(0, sink.drain());
        }
        assertFalse(Files.exists(dir.resolve("warmup-auth-cache.dat")), "the cache file is removed");
    }
}
