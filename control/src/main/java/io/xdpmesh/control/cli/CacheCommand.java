package io.xdpmesh.control.cli;

import io.xdpmesh.control.StateDir;
import io.xdpmesh.control.handshake.FailureReason;
import io.xdpmesh.dataplane.authcache.AuthCache;
import io.xdpmesh.dataplane.authcache.AuthEntry;
import io.xdpmesh.dataplane.authcache.AuthType;
import io.xdpmesh.dataplane.authcache.IdentityHash;
import io.xdpmesh.dataplane.cluster.ClusterConfig;
import io.xdpmesh.dataplane.cluster.ClusterFileParser;
import io.xdpmesh.dataplane.cluster.NodeSpec;
import io.xdpmesh.dataplane.cluster.WorkloadSpec;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "cache", mixinStandardHelpOptions = true,
        description = {"Lists the identity-pair auth cache: (local identity, remote identity, remote node, auth type)",
                "with state (pending, established, failed and why), expiry and session index. Opens",
                "<state-dir>/" + StateDir.AUTH_CACHE + " (a Chronicle Map) from this process; no RPC, the agent keeps running.",
                "The cache stores identities as 64-bit hashes; --cluster <file> names them from the cluster file."})
final class CacheCommand implements Runnable {
    @CommandLine.Mixin
    StateDirOption state;
    @Option(names = "--json", description = "A JSON array of entries")
    boolean json;
    @Option(names = "--cluster", description = "Cluster file (YAML) to turn identity and node hashes back into names")
    Path cluster;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    record Row(String local, String remote, String node, String type, String state, String reason, long expiresAtMillis,
               int sessionIndex, long updatedAtMillis) {}

    @Override
    public void run() {
        Path file = StateDir.authCache(state.stateDir);
        if (!Files.exists(file)) {
            throw new IllegalStateException(file + " does not exist: is the agent running with this state directory?");
        }
        Map<Long, String> names = new HashMap<>();
        if (cluster != null) {
            try {
                ClusterConfig c = ClusterFileParser.parse(Files.readString(cluster), cluster.toString());
                for (WorkloadSpec w : c.workloads()) {
                    names.put(IdentityHash.of(w.spiffeId()), w.spiffeId());
                }
                for (NodeSpec n : c.nodes()) {
                    names.put(IdentityHash.of(n.name()), n.name());
                }
            } catch (Exception e) {
                throw new IllegalStateException("cluster file " + cluster + ": " + e.getMessage(), e);
            }
        }
        List<Row> rows = new ArrayList<>();
        try (AuthCache cache = AuthCache.open(file.toFile(), StateDir.AUTH_CACHE_ENTRIES)) {
            cache.forEach((k, v) -> {
                AuthType t = AuthType.ofCode(k.authType);
                rows.add(new Row(name(names, k.localIdentity), name(names, k.remoteIdentity), name(names, k.remoteNode),
                        t == null ? "unknown(" + k.authType + ")" : t.name().toLowerCase(), AuthEntry.stateName(v.state),
                        v.state == AuthEntry.STATE_FAILED ? FailureReason.ofCode(v.reason).label() : null,
                        v.expiresAtMillis, v.sessionIndex, v.updatedAtMillis));
            });
        } catch (java.io.IOException e) {
            throw new IllegalStateException(file + ": " + e.getMessage(), e);
        }
        print(spec.commandLine().getOut(), rows);
    }

    static String name(Map<Long, String> names, long hash) {
        String n = names.get(hash);
        return n != null ? n : String.format("#%016x", hash);
    }

    private void print(PrintWriter out, List<Row> rows) {
        long now = System.currentTimeMillis();
        if (json) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                b.append(i == 0 ? "" : ",").append("{\"local\":").append(Json.str(r.local()))
                        .append(",\"remote\":").append(Json.str(r.remote()))
                        .append(",\"remoteNode\":").append(Json.str(r.node()))
                        .append(",\"authType\":").append(Json.str(r.type()))
                        .append(",\"state\":").append(Json.str(r.state()))
                        .append(",\"reason\":").append(Json.str(r.reason()))
                        .append(",\"expiresAt\":").append(Json.str(Instant.ofEpochMilli(r.expiresAtMillis()).toString()))
                        .append(",\"expired\":").append(now >= r.expiresAtMillis())
                        .append(",\"sessionIndex\":").append(Integer.toUnsignedLong(r.sessionIndex()))
                        .append(",\"updatedAt\":").append(Json.str(Instant.ofEpochMilli(r.updatedAtMillis()).toString()))
                        .append('}');
            }
            out.println(b.append(']'));
            return;
        }
        out.printf("%d identity pairs in %s%n", rows.size(), StateDir.authCache(state.stateDir));
        for (Row r : rows) {
            long left = (r.expiresAtMillis() - now) / 1000;
            out.printf("  %s -> %s @ %s [%s] %s%s, %s, session %08x%n", r.local(), r.remote(), r.node(), r.type(), r.state(),
                    r.reason() == null ? "" : " (" + r.reason() + ")",
                    left > 0 ? "expires in " + left + " s" : "expired " + (-left) + " s ago", r.sessionIndex());
        }
    }
}
