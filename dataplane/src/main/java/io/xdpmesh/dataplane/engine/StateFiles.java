package io.xdpmesh.dataplane.engine;

import java.nio.file.Path;

/**
 * The one list of file names under an agent's state directory (default /run/xdpmesh), shared by
 * the dataplane that writes them, the agent and the CLI that reads them. Never a key.
 */
public final class StateFiles {
    public static final Path DEFAULT_DIR = Path.of("/run/xdpmesh");
    /** Agrona counters (counters.CountersFile): dataplane statistics, drops by reason, handshake outcomes. */
    public static final String COUNTERS = "counters.dat";
    /** Per 5-tuple flow records (flow.FlowTable). */
    public static final String FLOWS = "flows.dat";
    /** The identity-pair auth cache (authcache.AuthCache, a Chronicle Map). */
    public static final String AUTH_CACHE = "authcache.dat";
    /** What only the agent knows (interfaces, identities, peers), rewritten every few seconds (JSON). */
    public static final String STATUS = "status.json";

    private StateFiles() {}
}
