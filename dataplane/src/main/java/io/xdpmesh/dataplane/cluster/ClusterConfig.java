package io.xdpmesh.dataplane.cluster;

import io.xdpmesh.dataplane.policy.PolicyRule;
import io.xdpmesh.dataplane.policy.Verdict;
import java.util.List;
import java.util.Optional;

/** Everything an agent learns from its control source: trust domain, nodes, workloads, policy. */
public record ClusterConfig(
        String trustDomain,
        int tunnelPort,
        Verdict defaultVerdict,
        List<NodeSpec> nodes,
        List<WorkloadSpec> workloads,
        List<PolicyRule> rules) {
    public static final int DEFAULT_TUNNEL_PORT = 51871;

    public ClusterConfig {
        nodes = List.copyOf(nodes);
        workloads = List.copyOf(workloads);
        rules = List.copyOf(rules);
    }

    public Optional<NodeSpec> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    public List<WorkloadSpec> workloadsOn(String node) {
        return workloads.stream().filter(w -> w.node().equals(node)).toList();
    }
}
