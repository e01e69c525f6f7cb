package io.xdpmesh.dataplane.authcache;

import java.nio.charset.StandardCharsets;

/**
 * 64-bit hash of a SPIFFE ID or node name, the stable form the persisted auth cache is keyed by
 * (dense identity numbers change when the cluster changes; names do not). FNV-1a over UTF-8 with
 * a final avalanche: collisions among a million names have probability ~3e-8.
 */
public final class IdentityHash {
    private IdentityHash() {}

    public static long of(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }
}
