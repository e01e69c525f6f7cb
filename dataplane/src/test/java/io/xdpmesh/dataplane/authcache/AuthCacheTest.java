package io.xdpmesh.dataplane.authcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthCacheTest {
    static final long FE = IdentityHash.of("spiffe://mesh.local/ns/shop/sa/frontend");
    static final long BE = IdentityHash.of("spiffe://mesh.local/ns/shop/sa/backend");
    static final long NODE_B = IdentityHash.of("node-b");

    @Test
    void entriesPersistAcrossReopenAsAnAgentRestartWould(@TempDir Path dir) throws Exception {
        AuthKey k = new AuthKey().set(FE, BE, NODE_B, AuthType.SPIFFE_ENCRYPT);
        try (AuthCache c = AuthCache.open(dir.resolve("auth.cmap").toFile(), 1024)) {
            c.put(k, new AuthEntry().set(5_000, 77, AuthEntry.STATE_ESTABLISHED, 0, 1_000));
            c.put(new AuthKey().set(FE, BE, NODE_B, AuthType.SPIFFE_AUTH), new AuthEntry().set(1, 2, AuthEntry.STATE_FAILED, 3, 4));
        }
        try (AuthCache c = AuthCache.open(dir.resolve("auth.cmap").toFile(), 1024)) {
            AuthEntry e = new AuthEntry();
            assertTrue(c.get(k, e));
            assertEquals(77, e.sessionIndex);
            assertTrue(e.validAt(4_999));
            assertFalse(e.validAt(5_000), "expiry is exclusive");
            assertEquals(2, c.size());
            assertEquals(1, c.removeIf((key, v) -> v.state == AuthEntry.STATE_FAILED));
            assertFalse(c.get(new AuthKey().set(FE, BE, NODE_B, AuthType.SPIFFE_AUTH), e));
        }
    }

    @Test
    void lookupsAllocateNothing(@TempDir Path dir) throws Exception {
        try (AuthCache c = AuthCache.open(dir.resolve("auth.cmap").toFile(), 10_000)) {
            AuthKey k = new AuthKey();
            for (int i = 0; i < 5_000; i++) {
                c.put(k.set(i, i + 1, 9, AuthType.SPIFFE_ENCRYPT), new AuthEntry().set(i, i, AuthEntry.STATE_ESTABLISHED, 0, 0));
            }
            AuthEntry e = new AuthEntry();
            ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            long sum = 0;
            for (int round = 0; round < 3; round++) { // warm up, then measure the last round
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 200_000; i++) {
                    int j = i % 5_000;
                    if (c.get(k.set(j, j + 1, 9, AuthType.SPIFFE_ENCRYPT), e)) {
                        sum += e.sessionIndex;
                    }
                }
                long allocated = mx.getCurrentThreadAllocatedBytes() - before;
                if (round == 2) {
                    assertEquals(0, allocated, "bytes allocated by 200k auth-cache lookups");
                }
            }
            assertNotEquals(0, sum);
        }
    }

    @Test
    void hashesAreStableAndSpread() {
        assertEquals(IdentityHash.of("node-b"), NODE_B);
        assertNotEquals(FE, BE);
    }
}
