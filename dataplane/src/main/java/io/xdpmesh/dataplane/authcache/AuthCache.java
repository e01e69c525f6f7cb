package io.xdpmesh.dataplane.authcache;

import java.io.File;
import java.io.IOException;
import java.util.function.BiConsumer;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

/**
 * The identity-pair auth cache: a Chronicle Map persisted under the agent's state directory, so
 * it survives an agent restart and the CLI can open the same file from its own process. The
 * dataplane reads it on a flow-cache miss ({@link #get} into a reused entry: no allocation);
 * the control plane writes it when a handshake completes, fails or expires.
 */
public final class AuthCache implements AutoCloseable {
    private final ChronicleMap<AuthKey, AuthEntry> map;

    private AuthCache(ChronicleMap<AuthKey, AuthEntry> map) {
        this.map = map;
    }

    /** Opens (creating if absent) the cache file sized for {@code maxEntries} pairs. */
    public static AuthCache open(File file, long maxEntries) throws IOException {
        ChronicleMap<AuthKey, AuthEntry> m = ChronicleMapBuilder.of(AuthKey.class, AuthEntry.class)
                .name("xdpmesh-auth-cache")
                .constantKeySizeBySample(new AuthKey())
                .constantValueSizeBySample(new AuthEntry())
                .entries(maxEntries)
                .createPersistedTo(file);
        return new AuthCache(m);
    }

    /** Copies the entry for {@code key} into {@code into}; false when absent. */
    public boolean get(AuthKey key, AuthEntry into) {
        return map.getUsing(key, into) != null;
    }

    public void put(AuthKey key, AuthEntry entry) {
        map.put(key, entry);
    }

    public boolean remove(AuthKey key) {
        return map.remove(key) != null;
    }

    public long size() {
        return map.longSize();
    }

    /** Visits every entry (control plane GC and the CLI); the objects are reused between calls. */
    public void forEach(BiConsumer<AuthKey, AuthEntry> visitor) {
        map.forEachEntry(e -> visitor.accept(e.key().get(), e.value().get()));
    }

    /** Removes entries the predicate selects; returns how many went. */
    public int removeIf(java.util.function.BiPredicate<AuthKey, AuthEntry> drop) {
        int[] n = {0};
        map.forEachEntry(e -> {
            if (drop.test(e.key().get(), e.value().get())) {
                e.doRemove();
                n[0]++;
            }
        });
        return n[0];
    }

    @Override
    public void close() {
        map.close();
    }
}
