package io.xdpmesh.control;

import java.nio.file.Path;

/**
 * The files an agent keeps under its state directory (default /run/xdpmesh, one per agent, mode
 * 0700), which the CLI opens from its own process. Never a key: those stay in agent memory.
 */
public final class StateDir {
    public static final Path DEFAULT = Path.of("/run/xdpmesh");
    /** Agrona counters (dataplane.counters.CountersFile): drops by reason, handshake outcomes. */
    public static final String COUNTERS = "counters.dat";
    /** The identity-pair auth cache (dataplane.authcache.AuthCache, a Chronicle Map). */
    public static final String AUTH_CACHE = "authcache.dat";
    /** Room the agent sizes the auth cache for (Chronicle reads the real size from the file). */
    public static final long AUTH_CACHE_ENTRIES = 1 << 20;

    private StateDir() {}

    public static Path counters(Path stateDir) { return stateDir.resolve(COUNTERS); }
    public static Path authCache(Path stateDir) { return stateDir.resolve(AUTH_CACHE); }
}
