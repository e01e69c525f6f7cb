package io.xdpmesh.control.agent;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.dataplane.authcache.AuthType;
import io.xdpmesh.dataplane.authcache.IdentityHash;
import io.xdpmesh.dataplane.cluster.ClusterConfig;
import io.xdpmesh.dataplane.cluster.NodeSpec;
import io.xdpmesh.dataplane.cluster.WorkloadSpec;
import io.xdpmesh.dataplane.policy.CompiledPolicy;
import io.xdpmesh.dataplane.policy.Verdict;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The control plane's immutable view of one cluster snapshot, seen from one node: who is where
 * (node binding, peer addresses), what policy asks of a pair (which auth type, if any), and the
 * names behind the auth cache's hashes. Replaced as a whole when the cluster file changes.
 */
public final class ClusterView {
    private final ClusterConfig config;
    private final String localNode;
    private final List<String> identities;
    /** Position in {@link #identities} (the policy's row/column): looked up on every handshake, so no list scan. */
    private final Map<String, Integer> identityIndex = new HashMap<>();
    private final Map<InetAddress, NodeSpec> nodeAt = new HashMap<>();
    private final CompiledPolicy policy;
    private final Map<Long, String> names = new HashMap<>();
    private final Map<String, String> nodeOfWorkload = new HashMap<>();

    public ClusterView(ClusterConfig config, String localNode) {
        this.config = config;
        this.localNode = localNode;
        if (config.node(localNode).isEmpty()) {
            throw new IllegalArgumentException("node '" + localNode + "' is not in the cluster file (nodes: "
                    + config.nodes().stream().map(NodeSpec::name).toList() + ")");
        }
        this.identities = config.workloads().stream().map(WorkloadSpec::spiffeId).distinct().toList();
        this.policy = CompiledPolicy.compile(identities, config.rules(), config.defaultVerdict());
        for (int i = 0; i < identities.size(); i++) {
            identityIndex.put(identities.get(i), i);
        }
        for (WorkloadSpec w : config.workloads()) {
            names.put(IdentityHash.of(w.spiffeId()), w.spiffeId());
            nodeOfWorkload.put(w.spiffeId(), w.node());
        }
        for (NodeSpec n : config.nodes()) {
            names.put(IdentityHash.of(n.name()), n.name());
            nodeAt.putIfAbsent(n.address(), n); // the first, as the cluster file lists them
        }
    }

    public ClusterConfig config() { return config; }

    public String localNode() { return localNode; }

    /** Every node of the cluster, this one included. */
    public List<NodeSpec> nodes() {
        return config.nodes();
    }

    public NodeSpec self() {
        return config.node(localNode).orElseThrow();
    }

    public Optional<NodeSpec> node(String name) {
        return config.node(name);
    }

    public Optional<NodeSpec> nodeByAddress(InetAddress address) {
        return Optional.ofNullable(nodeAt.get(address));
    }

    /** Node binding: the cluster file places {@code id} on the node whose address is {@code nodeAddress}. */
    public boolean placedOn(SpiffeId id, InetAddress nodeAddress) {
        String node = nodeOfWorkload.get(id.toString());
        NodeSpec n = node == null ? null : nodeAt.get(nodeAddress);
        return n != null && n.name().equals(node);
    }

    /** The node the cluster file places a workload on, or null. */
    public String nodeOf(String spiffeId) {
        return nodeOfWorkload.get(spiffeId);
    }

    public boolean isLocalWorkload(String spiffeId) {
        return localNode.equals(nodeOfWorkload.get(spiffeId));
    }

    public Verdict verdict(String from, String to) {
        Integer s = identityIndex.get(from);
        Integer d = identityIndex.get(to);
        return s == null || d == null ? Verdict.DENY : policy.verdict(s, d);
    }

    /**
     * The auth type under which the dataplane looks the pair (local, remote) up: from the verdict of
     * local -> remote, or, when that needs no session, of remote -> local (the responder side of a
     * pair whose traffic only the peer starts). Null when policy needs no session either way.
     */
    public AuthType authType(String local, String remote) {
        Verdict v = verdict(local, remote);
        if (!v.needsSession()) {
            v = verdict(remote, local);
        }
        return switch (v) {
            case ENCRYPT -> AuthType.SPIFFE_ENCRYPT;
            case AUTH -> AuthType.SPIFFE_AUTH;
            default -> null;
        };
    }

    /** A SPIFFE ID or node name for an auth-cache hash, or null when this snapshot has none. */
    public String name(long hash) {
        return names.get(hash);
    }
}
