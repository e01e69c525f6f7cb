package io.xdpmesh.dataplane.engine;

import io.xdpmesh.dataplane.authcache.IdentityHash;
import io.xdpmesh.dataplane.cluster.ClusterConfig;
import io.xdpmesh.dataplane.cluster.NodeSpec;
import io.xdpmesh.dataplane.endpoint.EndpointTable;
import io.xdpmesh.dataplane.policy.CompiledPolicy;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One immutable view of the cluster for a dataplane thread: endpoint table, compiled policy, and
 * what the hot path derives from them (which local port serves each endpoint, names as bytes for
 * auth requests, identity hashes for the auth cache, peer addresses). Replaced as a whole.
 */
public final class ClusterState {
    /** Tunnel header templates are preallocated per node number. */
    public static final int MAX_NODES = 1024;
    public static final int OVERHEAD_V4 = 20 + 8 + 32;
    public static final int OVERHEAD_V6 = 40 + 8 + 32;
    /** A port number meaning: the interface is served, by other dataplane threads only (fewer queues). */
    static final int OTHER_THREAD = -2;

    final ClusterConfig config;
    final EndpointTable table;
    final CompiledPolicy policy;
    final int generation;
    final int[] portOfEndpoint;
    final long[] endpointMac;
    final byte[][] identityNames;
    final byte[][] nodeNames;
    final long[] identityHashes;
    final long[] nodeHashes;
    final InetAddress[] peers;
    final int tunnelPort;
    final boolean outerV6;
    final int innerMtu;

    private ClusterState(ClusterConfig config, String localNode, Map<String, Integer> portByIfname, int uplinkMtu,
            int generation) {
        this.config = config;
        this.table = EndpointTable.build(config, localNode);
        this.policy = CompiledPolicy.compile(table.identities(), config.rules(), config.defaultVerdict());
        this.generation = generation;
        int n = table.endpointCount();
        portOfEndpoint = new int[n];
        endpointMac = new long[n];
        for (int e = 0; e < n; e++) {
            Integer p = table.isLocal(e) ? portByIfname.get(table.workload(e).hostInterface()) : null;
            portOfEndpoint[e] = p == null ? -1 : p;
            endpointMac[e] = table.macOf(e);
        }
        List<String> ids = table.identities();
        identityNames = new byte[ids.size()][];
        identityHashes = new long[ids.size()];
        for (int i = 0; i < ids.size(); i++) {
            identityNames[i] = ids.get(i).getBytes(StandardCharsets.UTF_8);
            identityHashes[i] = IdentityHash.of(ids.get(i));
        }
        List<NodeSpec> nodes = table.nodes();
        if (nodes.size() > MAX_NODES) {
            throw new IllegalArgumentException(nodes.size() + " nodes exceed " + MAX_NODES);
        }
        nodeNames = new byte[nodes.size()][];
        nodeHashes = new long[nodes.size()];
        peers = new InetAddress[nodes.size()];
        boolean six = nodes.get(table.localNode()).address() instanceof Inet6Address;
        for (int i = 0; i < nodes.size(); i++) {
            NodeSpec ns = nodes.get(i);
            nodeNames[i] = ns.name().getBytes(StandardCharsets.UTF_8);
            nodeHashes[i] = IdentityHash.of(ns.name());
            if ((ns.address() instanceof Inet6Address) != six) {
                throw new IllegalArgumentException("node " + ns.name() + ": all node addresses must be of one family "
                        + "(the tunnel's outer header)");
            }
            peers[i] = i == table.localNode() ? null : ns.address();
        }
        this.tunnelPort = config.tunnelPort();
        this.outerV6 = six;
        // The worst-case overhead whatever the outer family (WireGuard's 1420 on a 1500 uplink): the
        // pods' MTU, so that what fits the tunnel also fits the pod at the other end.
        this.innerMtu = uplinkMtu - OVERHEAD_V6;
    }

    static ClusterState build(ClusterConfig config, String localNode, Map<String, Integer> portByIfname,
            int uplinkMtu, int generation) {
        return new ClusterState(config, localNode, portByIfname, uplinkMtu, generation);
    }

    public EndpointTable table() {
        return table;
    }

    public CompiledPolicy policy() {
        return policy;
    }

    public int generation() {
        return generation;
    }

    /** The largest inner IP packet that fits the tunnel. */
    public int innerMtu() {
        return innerMtu;
    }

    int nodeIndex(String name) {
        List<NodeSpec> nodes = table.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    byte[] localAddress() {
        return table.nodes().get(table.localNode()).address().getAddress();
    }

    byte[] nodeAddress(int node) {
        return table.nodes().get(node).address().getAddress();
    }
}
