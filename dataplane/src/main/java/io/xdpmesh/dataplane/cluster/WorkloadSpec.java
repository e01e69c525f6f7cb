package io.xdpmesh.dataplane.cluster;

import java.net.InetAddress;
import java.util.List;

/**
 * A workload (pod): its SPIFFE ID, the node it runs on, its addresses, the host-side interface of
 * its veth pair, and optionally its MAC (otherwise learned from its own frames).
 */
public record WorkloadSpec(String spiffeId, String node, List<InetAddress> ips, String hostInterface, String mac) {
    public WorkloadSpec {
        ips = List.copyOf(ips);
    }
}
