package io.xdpmesh.control.agent;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.identity.IdentityStore;
import io.xdpmesh.control.json.JsonText;
import io.xdpmesh.control.tls.CryptoProviders;
import io.xdpmesh.dataplane.cluster.NodeSpec;
import io.xdpmesh.dataplane.engine.Dataplane;
import io.xdpmesh.dataplane.session.Aeads;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes what only the agent knows (interfaces and XDP modes, identities and their expiry, peers
 * and sessions, the crypto provider) to {@code <state-dir>/status.json} every few seconds, by
 * atomic rename, so {@code xdpmesh status} reads it from its own process with no RPC.
 */
final class StatusWriter {
    private final Path file;
    private final long pid = ProcessHandle.current().pid();
    private final Instant started = Instant.now();

    StatusWriter(Path file) {
        this.file = file;
    }

    record Inputs(String node, Path clusterFile, ClusterView view, Dataplane dataplane, IdentityStore store,
                  String identitySource, InetSocketAddress listen, SessionKeeper keeper, String state) {}

    void write(Inputs in) throws IOException {
        StringBuilder b = new StringBuilder(2048).append("{\n");
        field(b, "pid", Long.toString(pid));
        field(b, "state", JsonText.str(in.state()));
        field(b, "node", JsonText.str(in.node()));
        field(b, "startedAt", JsonText.str(started.toString()));
        field(b, "updatedAt", JsonText.str(Instant.now().toString()));
        field(b, "clusterFile", JsonText.str(in.clusterFile().toString()));
        field(b, "trustDomain", JsonText.str(in.view().config().trustDomain()));
        CryptoProviders.Status cp = CryptoProviders.status();
        field(b, "handshake", "{\"listen\":" + JsonText.str(in.listen().getAddress().getHostAddress() + ":" + in.listen().getPort())
                + ",\"provider\":" + JsonText.str(cp.accp() ? "ACCP" : "JDK")
                + ",\"providerDetail\":" + JsonText.str(cp.toString())
                + ",\"packetAead\":" + JsonText.str(Aeads.describe())
                + "}");
        StringBuilder ifs = new StringBuilder("[");
        List<Dataplane.PortStatus> ports = in.dataplane().portStatus();
        for (int i = 0; i < ports.size(); i++) {
            Dataplane.PortStatus p = ports.get(i);
            ifs.append(i == 0 ? "" : ",").append("{\"name\":").append(JsonText.str(p.ifname()))
                    .append(",\"role\":").append(JsonText.str(p.role()))
                    .append(",\"xdpMode\":").append(JsonText.str(p.xdpMode()))
                    .append(",\"programId\":").append(p.programId())
                    .append(",\"adopted\":").append(p.adopted())
                    .append(",\"xskMode\":").append(JsonText.str(p.xskMode())).append('}');
        }
        field(b, "interfaces", ifs.append(']').toString());
        StringBuilder ids = new StringBuilder("[");
        Map<String, Instant> byId = new TreeMap<>();
        for (Map.Entry<SpiffeId, IdentityStore.Entry> e : in.store().snapshot().entrySet()) {
            byId.put(e.getKey().toString(), e.getValue().svid().getLeaf().getNotAfter().toInstant());
        }
        int n = 0;
        for (Map.Entry<String, Instant> e : byId.entrySet()) {
            ids.append(n++ == 0 ? "" : ",").append("{\"id\":").append(JsonText.str(e.getKey()))
                    .append(",\"notAfter\":").append(JsonText.str(e.getValue().toString())).append('}');
        }
        field(b, "identitySource", JsonText.str(in.identitySource()));
        field(b, "identities", ids.append(']').toString());
        List<SessionKeeper.Tracked> sessions = in.keeper().snapshot();
        StringBuilder peers = new StringBuilder("[");
        n = 0;
        for (NodeSpec node : in.view().config().nodes()) {
            if (node.name().equals(in.node())) {
                continue;
            }
            long count = sessions.stream().filter(t -> t.node().equals(node.name())).count();
            peers.append(n++ == 0 ? "" : ",").append("{\"node\":").append(JsonText.str(node.name()))
                    .append(",\"address\":").append(JsonText.str(node.address().getHostAddress()))
                    .append(",\"sessions\":").append(count).append('}');
        }
        field(b, "peers", peers.append(']').toString());
        StringBuilder ss = new StringBuilder("[");
        n = 0;
        for (SessionKeeper.Tracked t : sessions) {
            ss.append(n++ == 0 ? "" : ",").append("{\"local\":").append(JsonText.str(t.request().pair().local().toString()))
                    .append(",\"remote\":").append(JsonText.str(t.request().pair().remote().toString()))
                    .append(",\"node\":").append(JsonText.str(t.node()))
                    .append(",\"initiator\":").append(t.initiator())
                    .append(",\"epoch\":").append(t.epoch())
                    .append(",\"authType\":").append(JsonText.str(t.type() == io.xdpmesh.dataplane.authcache.AuthType.SPIFFE_AUTH ? "auth" : "encrypt"))
                    .append(",\"installedAt\":").append(JsonText.str(t.installedAt().toString()))
                    .append(",\"expiresAt\":").append(JsonText.str(t.expiresAt().toString())).append('}');
        }
        field(b, "sessions", ss.append(']').toString());
        Throwable err = in.dataplane().lastError();
        b.append("  \"dataplane\": {\"errors\":").append(in.dataplane().errors())
                .append(",\"lastError\":").append(JsonText.str(err == null ? null : err.toString()))
                .append(",\"heldFrames\":").append(in.dataplane().pendingFrames())
                .append(",\"sessions\":").append(in.dataplane().agent().sessionCount())
                .append("}\n}\n");
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, b);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void field(StringBuilder b, String name, String json) {
        b.append("  ").append(JsonText.str(name)).append(": ").append(json).append(",\n");
    }
}
