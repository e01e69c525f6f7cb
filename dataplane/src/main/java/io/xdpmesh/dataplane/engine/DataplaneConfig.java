package io.xdpmesh.dataplane.engine;

import io.xdpmesh.dataplane.authcache.AuthCache;
import io.xdpmesh.xdp.bpf.XdpLoader;
import java.nio.file.Path;
import java.time.Duration;

/** Settings of one dataplane thread (its UMEM, sockets and tables). A small mutable builder. */
public final class DataplaneConfig {
    String node;
    String netns;
    Path stateDir = StateFiles.DEFAULT_DIR;
    Path bpffs = XdpLoader.DEFAULT_BPFFS;
    String agentName = "xdpmesh";
    int batch = 64;
    IdleMode idle = IdleMode.BUSY_SPIN;
    Duration pendingTimeout = Duration.ofSeconds(5);
    int umemFrames = 8192;
    int podFill = 512;
    /** Pod interfaces the UMEM is sized for (more can be added at runtime; they share what is left). */
    int podSlots = 8;
    int uplinkFill = 2048;
    int ringSize = 2048;
    int flowCacheSlots = 4096;
    int flowTableSlots = 4096;
    int maxSessions = 4096;
    int pendingGlobal = 2048;
    int pendingPerPair = 128;
    int pendingPairs = 256;
    AuthCache authCache;
    int gatewayV4 = 0xa9fe0101; // 169.254.1.1
    long gatewayV6Hi = 0xfe80_0000_0000_0000L;
    long gatewayV6Lo = 1L;
    Duration neighbourWait = Duration.ofSeconds(3);
    boolean scatterGather;
    int threads = 1;

    private DataplaneConfig() {}

    /** A dataplane for node (its name in the cluster file). */
    public static DataplaneConfig forNode(String node) {
        DataplaneConfig c = new DataplaneConfig();
        c.node = node;
        return c;
    }

    /** Set up interfaces inside /run/netns/name (the thread itself stays where it is). */
    public DataplaneConfig netns(String name) {
        netns = name;
        return this;
    }

    /** Where the counters and flows files ({@link StateFiles}) go. */
    public DataplaneConfig stateDir(Path dir) {
        stateDir = dir;
        return this;
    }

    public DataplaneConfig bpffs(Path path, String agent) {
        bpffs = path;
        agentName = agent;
        return this;
    }

    public DataplaneConfig batch(int n) {
        batch = n;
        return this;
    }

    public DataplaneConfig idle(IdleMode m) {
        idle = m;
        return this;
    }

    /** How long frames of a pair may wait for a session before they are dropped (HANDSHAKE_TIMEOUT). */
    public DataplaneConfig pendingTimeout(Duration d) {
        pendingTimeout = d;
        return this;
    }

    public DataplaneConfig umemFrames(int n) {
        umemFrames = n;
        return this;
    }

    /** With an auth cache, a session is used only while its entry is established and unexpired. */
    public DataplaneConfig authCache(AuthCache cache) {
        authCache = cache;
        return this;
    }

    public DataplaneConfig pending(int global, int perPair, int pairs) {
        pendingGlobal = global;
        pendingPerPair = perPair;
        pendingPairs = pairs;
        return this;
    }

    /**
     * Bind with XDP_USE_SG even when no pod interface needs it (it is on by itself as soon as one
     * has an MTU larger than a UMEM frame holds: large-frame mode).
     */
    public DataplaneConfig scatterGather(boolean on) {
        scatterGather = on;
        return this;
    }

    /** How many pod interfaces the UMEM is sized for, counting those added at runtime. */
    public DataplaneConfig podSlots(int n) {
        podSlots = n;
        return this;
    }

    /**
     * Dataplane threads (1..8): thread t serves queue q of every interface with q mod threads == t,
     * with its own UMEM, sockets and tables. The uplink needs at least this many queues.
     */
    public DataplaneConfig threads(int n) {
        if (n < 1 || n > io.xdpmesh.crypto.transport.Keypair.MAX_LANES) {
            throw new IllegalArgumentException("threads: 1.." + io.xdpmesh.crypto.transport.Keypair.MAX_LANES);
        }
        threads = n;
        return this;
    }

    public int threads() {
        return threads;
    }

    public String node() {
        return node;
    }
}
