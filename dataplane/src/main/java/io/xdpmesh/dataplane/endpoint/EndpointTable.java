package io.xdpmesh.dataplane.endpoint;

import io.xdpmesh.dataplane.cluster.ClusterConfig;
import io.xdpmesh.dataplane.cluster.NodeSpec;
import io.xdpmesh.dataplane.cluster.WorkloadSpec;
import io.xdpmesh.dataplane.parse.ParsedFrame;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * IP address -> endpoint (identity, node, host-side interface, MAC), built from a
 * {@link ClusterConfig} and immutable. The hot path looks an address up in an open-addressing
 * table of primitive arrays (no boxing, no allocation); the control plane builds a new table on a
 * change and publishes it with one volatile write, so the dataplane never stops.
 *
 * <p>Identities and nodes get dense numbers (their index in {@link #identities()} and
 * {@link #nodes()}), which is what the policy matrix and the flow cache are keyed by.
 */
public final class EndpointTable {
    public static final int MISS = -1;

    private final List<String> identities;
    /** Number of each identity: the dataplane looks two up on every session install, so no list scan. */
    private final Map<String, Integer> identityNumbers;
    private final List<NodeSpec> nodes;
    private final List<WorkloadSpec> workloads;
    private final int localNode;
    private final long[] keyHi;
    private final long[] keyLo;
    private final int[] slotEndpoint;
    private final int mask;
    private final int[] endpointIdentity;
    private final int[] endpointNode;
    private final long[] endpointMac; // 48-bit MAC, or -1 when not configured (learned instead)

    private EndpointTable(ClusterConfig cfg, String localNodeName) {
        this.nodes = cfg.nodes();
        int local = -1;
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).name().equals(localNodeName)) {
                local = i;
            }
        }
        if (local < 0) {
            throw new IllegalArgumentException("node '" + localNodeName + "' is not in the cluster configuration");
        }
        this.localNode = local;
        this.workloads = cfg.workloads();
        Map<String, Integer> idIndex = new HashMap<>();
        List<String> ids = new ArrayList<>();
        int addresses = 0;
        for (WorkloadSpec w : workloads) {
            idIndex.computeIfAbsent(w.spiffeId(), k -> {
                ids.add(k);
                return ids.size() - 1;
            });
            addresses += w.ips().size();
        }
        this.identities = List.copyOf(ids);
        this.identityNumbers = Map.copyOf(idIndex);
        int cap = Integer.highestOneBit(Math.max(4, addresses * 2 - 1)) << 1;
        this.mask = cap - 1;
        this.keyHi = new long[cap];
        this.keyLo = new long[cap];
        this.slotEndpoint = new int[cap];
        java.util.Arrays.fill(slotEndpoint, MISS);
        int n = workloads.size();
        this.endpointIdentity = new int[n];
        this.endpointNode = new int[n];
        this.endpointMac = new long[n];
        Map<String, Integer> nodeIndex = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            nodeIndex.put(nodes.get(i).name(), i);
        }
        for (int e = 0; e < n; e++) {
            WorkloadSpec w = workloads.get(e);
            endpointIdentity[e] = idIndex.get(w.spiffeId());
            endpointNode[e] = nodeIndex.get(w.node());
            endpointMac[e] = w.mac() == null ? -1 : parseMac(w.mac());
            for (InetAddress a : w.ips()) {
                insert(hi(a), lo(a), e);
            }
        }
    }

    public static EndpointTable build(ClusterConfig cfg, String localNodeName) {
        return new EndpointTable(cfg, localNodeName);
    }

    private void insert(long hi, long lo, int endpoint) {
        int slot = hash(hi, lo) & mask;
        while (slotEndpoint[slot] != MISS) {
            slot = (slot + 1) & mask;
        }
        keyHi[slot] = hi;
        keyLo[slot] = lo;
        slotEndpoint[slot] = endpoint;
    }

    private static int hash(long hi, long lo) {
        long h = hi * 0x9E3779B97F4A7C15L ^ lo;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (int) h;
    }

    /** Hot path: the endpoint number for a 128-bit address (IPv4-mapped for IPv4), or {@link #MISS}. */
    public int lookup(long hi, long lo) {
        int slot = hash(hi, lo) & mask;
        while (true) {
            int e = slotEndpoint[slot];
            if (e == MISS || (keyHi[slot] == hi && keyLo[slot] == lo)) {
                return e;
            }
            slot = (slot + 1) & mask;
        }
    }

    public int identityOf(int endpoint) {
        return endpointIdentity[endpoint];
    }

    public int nodeOf(int endpoint) {
        return endpointNode[endpoint];
    }

    public boolean isLocal(int endpoint) {
        return endpointNode[endpoint] == localNode;
    }

    public long macOf(int endpoint) {
        return endpointMac[endpoint];
    }

    public WorkloadSpec workload(int endpoint) {
        return workloads.get(endpoint);
    }

    public int localNode() {
        return localNode;
    }

    public List<String> identities() {
        return identities;
    }

    public List<NodeSpec> nodes() {
        return nodes;
    }

    public int endpointCount() {
        return workloads.size();
    }

    /** Index of a SPIFFE ID in {@link #identities()}, or -1. Control-plane use; allocates nothing. */
    public int identityNumber(String spiffeId) {
        Integer n = identityNumbers.get(spiffeId);
        return n == null ? -1 : n;
    }

    /** Is this identity placed on this node by the cluster configuration? (node binding) */
    public boolean identityOnNode(int identity, int node) {
        for (int e = 0; e < endpointIdentity.length; e++) {
            if (endpointIdentity[e] == identity && endpointNode[e] == node) {
                return true;
            }
        }
        return false;
    }

    public static long hi(InetAddress a) {
        return a instanceof Inet4Address ? ParsedFrame.V4_MAPPED_HI : ByteBuffer.wrap(a.getAddress()).getLong(0);
    }

    public static long lo(InetAddress a) {
        return a instanceof Inet4Address
                ? ParsedFrame.v4MappedLo(ByteBuffer.wrap(a.getAddress()).getInt(0))
                : ByteBuffer.wrap(a.getAddress()).getLong(8);
    }

    static long parseMac(String mac) {
        long v = 0;
        for (String part : mac.split(":")) {
            v = v << 8 | Integer.parseInt(part, 16);
        }
        return v;
    }
}
