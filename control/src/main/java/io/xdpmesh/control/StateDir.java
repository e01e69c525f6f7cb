package io.xdpmesh.control;

import io.xdpmesh.dataplane.engine.StateFiles;
import java.nio.file.Path;

/**
 * The files an agent keeps under its state directory (default /run/xdpmesh, one per agent, mode
 * 0700), which the CLI opens from its own process. The names are the dataplane's
 * {@link StateFiles} (one list). Never a key: those stay in agent memory.
 */
public final class StateDir {
    public static final Path DEFAULT = StateFiles.DEFAULT_DIR;
    public static final String COUNTERS = StateFiles.COUNTERS;
    public static final String FLOWS = StateFiles.FLOWS;
    public static final String AUTH_CACHE = StateFiles.AUTH_CACHE;
    public static final String STATUS = StateFiles.STATUS;
    /** Room the agent sizes the auth cache for (Chronicle reads the real size from the file). */
    public static final long AUTH_CACHE_ENTRIES = 1 << 20;

    private StateDir() {}

    public static Path counters(Path stateDir) { return stateDir.resolve(COUNTERS); }
    public static Path flows(Path stateDir) { return stateDir.resolve(FLOWS); }
    public static Path authCache(Path stateDir) { return stateDir.resolve(AUTH_CACHE); }
    public static Path status(Path stateDir) { return stateDir.resolve(STATUS); }
}
