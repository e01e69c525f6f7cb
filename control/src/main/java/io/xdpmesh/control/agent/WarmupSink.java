package io.xdpmesh.control.agent;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.dataplane.authcache.AuthCache;
import io.xdpmesh.dataplane.cluster.ClusterFileParser;
import io.xdpmesh.dataplane.session.DataplaneCommands;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;

/**
 * The agent's own session sink ({@link DataplaneSessionSink}: cluster view, auth-cache write,
 * index registry, session keeper, dataplane command) over throw-away parts, for the loopback
 * warm-up. With a discarding sink every real pair's install ran that code cold (JFR: 15-20 % of
 * each handshake thread, in C1 code or the interpreter). The cluster puts the warm-up identities
 * on one loopback node; the cache is a file of its own; the commands go nowhere and their keypairs
 * are released as the dataplane releases those it rejects.
 */
final class WarmupSink implements AutoCloseable {
    private final Path cacheFile;
    private final AuthCache cache;
    private final DataplaneCommands commands = new DataplaneCommands(1024);
    private final IndexRegistry indexes = new IndexRegistry();
    private final DataplaneSessionSink sink;

    WarmupSink(Path dir, String trustDomain, SpiffeId[] as, SpiffeId[] bs) throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        StringBuilder yaml = new StringBuilder()
                .append("trustDomain: ").append(trustDomain).append('\n')
                .append("defaultVerdict: encrypt\n")
                .append("nodes:\n  - name: warmup\n    uplink: lo\n    address: \"").append(lo.getHostAddress()).append("\"\n")
                .append("workloads:\n");
        int n = 0;
        for (SpiffeId[] ids : new SpiffeId[][] {as, bs}) {
            for (SpiffeId id : ids) {
                n++;
                yaml.append("  - id: ").append(id).append("\n    node: warmup\n    ips: [\"10.255.0.").append(n)
                        .append("\"]\n    interface: lo\n");
            }
        }
        ClusterView view = new ClusterView(ClusterFileParser.parse(yaml.toString(), "warm-up"), "warmup");
        cacheFile = dir.resolve("warmup-auth-cache.dat");
        cache = AuthCache.open(cacheFile.toFile(), 1024);
        CountersManager counters = new CountersManager(new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)),
                new UnsafeBuffer(ByteBuffer.allocateDirect(16 * 1024)));
        SessionKeeper keeper = new SessionKeeper(() -> view, cache, commands, new AgentCounters(counters),
                Duration.ofMinutes(2), Duration.ofSeconds(10), Duration.ofMinutes(3), node -> new InetSocketAddress(lo, 0));
        sink = new DataplaneSessionSink(() -> view, cache, commands, indexes, keeper, (request, installed) -> {});
    }

    DataplaneSessionSink sink() {
        return sink;
    }

    IndexRegistry indexes() {
        return indexes;
    }

    /** Releases what the sink queued for a dataplane; returns how many sessions were installed. */
    int drain() {
        int installed = 0;
        for (DataplaneCommands.Command c; (c = commands.poll()) != null; ) {
            if (c instanceof DataplaneCommands.InstallSession i) {
                i.keypair().release();
                installed++;
            }
        }
        return installed;
    }

    @Override
    public void close() throws Exception {
        drain();
        cache.close();
        Files.deleteIfExists(cacheFile);
    }
}
