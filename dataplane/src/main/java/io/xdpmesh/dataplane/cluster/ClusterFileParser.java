package io.xdpmesh.dataplane.cluster;

import io.xdpmesh.dataplane.policy.PolicyRule;
import io.xdpmesh.dataplane.policy.SpiffeSelector;
import io.xdpmesh.dataplane.policy.Verdict;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the cluster file (format in README, "Cluster file"). Everything is validated up front with
 * messages that name the field, so a typo fails the agent's start instead of a packet later.
 */
public final class ClusterFileParser {
    private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9a-fA-F.:]+");

    private ClusterFileParser() {}

    public static ClusterConfig parse(String yaml, String origin) throws ClusterConfigException {
        Object root;
        try {
            LoaderOptions opts = new LoaderOptions();
            opts.setAllowDuplicateKeys(false);
            opts.setMaxAliasesForCollections(10);
            root = new Yaml(new SafeConstructor(opts)).load(yaml);
        } catch (YAMLException e) {
            throw new ClusterConfigException(origin + ": not valid YAML: " + e.getMessage(), e);
        }
        try {
            return build(asMap(root, "the document"), origin);
        } catch (IllegalArgumentException e) {
            throw new ClusterConfigException(origin + ": " + e.getMessage(), e);
        }
    }

    private static ClusterConfig build(Map<String, Object> doc, String origin) {
        known(doc, "the document", "trustDomain", "tunnelPort", "defaultVerdict", "nodes", "workloads", "policy");
        String td = string(doc, "trustDomain", "the document");
        if (!td.matches("[a-z0-9._-]+")) {
            throw new IllegalArgumentException("trustDomain '" + td + "' must be lower-case letters, digits, '.', '_' or '-'");
        }
        int port = doc.containsKey("tunnelPort") ? integer(doc.get("tunnelPort"), "tunnelPort") : ClusterConfig.DEFAULT_TUNNEL_PORT;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("tunnelPort " + port + " is not a UDP port");
        }
        Verdict def = doc.containsKey("defaultVerdict") ? Verdict.parse(string(doc, "defaultVerdict", "the document")) : Verdict.DENY;

        List<NodeSpec> nodes = new ArrayList<>();
        Set<String> nodeNames = new HashSet<>();
        int i = 0;
        for (Object o : list(doc.get("nodes"), "nodes")) {
            String where = "nodes[" + i++ + "]";
            Map<String, Object> m = asMap(o, where);
            known(m, where, "name", "uplink", "address");
            String name = string(m, "name", where);
            if (!nodeNames.add(name)) {
                throw new IllegalArgumentException(where + ": node '" + name + "' is listed twice");
            }
            nodes.add(new NodeSpec(name, ifname(string(m, "uplink", where), where + ".uplink"), ip(string(m, "address", where), where + ".address")));
        }
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("nodes: at least one node is needed");
        }

        List<WorkloadSpec> workloads = new ArrayList<>();
        Map<InetAddress, String> owner = new HashMap<>();
        Set<String> ids = new HashSet<>();
        i = 0;
        for (Object o : list(doc.get("workloads"), "workloads")) {
            String where = "workloads[" + i++ + "]";
            Map<String, Object> m = asMap(o, where);
            known(m, where, "id", "node", "ips", "interface", "mac");
            String id = string(m, "id", where);
            String prefix = "spiffe://" + td + "/";
            if (!id.startsWith(prefix) || id.length() == prefix.length() || id.endsWith("/") || id.substring(prefix.length()).contains("//")) {
                throw new IllegalArgumentException(where + ".id '" + id + "' is not a SPIFFE ID in trust domain " + td);
            }
            String node = string(m, "node", where);
            if (!nodeNames.contains(node)) {
                throw new IllegalArgumentException(where + ".node '" + node + "' is not one of the nodes");
            }
            List<InetAddress> ips = new ArrayList<>();
            int j = 0;
            for (Object ipo : list(m.get("ips"), where + ".ips")) {
                InetAddress a = ip(String.valueOf(ipo), where + ".ips[" + j++ + "]");
                String prev = owner.putIfAbsent(a, id);
                if (prev != null) {
                    throw new IllegalArgumentException(where + ": address " + a.getHostAddress() + " already belongs to " + prev);
                }
                ips.add(a);
            }
            if (ips.isEmpty()) {
                throw new IllegalArgumentException(where + ".ips: a workload needs at least one address");
            }
            ids.add(id);
            String mac = m.containsKey("mac") ? string(m, "mac", where) : null;
            if (mac != null && !MAC.matcher(mac).matches()) {
                throw new IllegalArgumentException(where + ".mac '" + mac + "' is not a MAC address like 02:00:00:00:00:01");
            }
            workloads.add(new WorkloadSpec(id, node, ips, ifname(string(m, "interface", where), where + ".interface"), mac));
        }

        List<PolicyRule> rules = new ArrayList<>();
        i = 0;
        for (Object o : list(doc.get("policy"), "policy")) {
            String where = "policy[" + i++ + "]";
            Map<String, Object> m = asMap(o, where);
            known(m, where, "from", "to", "verdict");
            rules.add(new PolicyRule(selector(string(m, "from", where), where + ".from"),
                    selector(string(m, "to", where), where + ".to"), Verdict.parse(string(m, "verdict", where))));
        }
        return new ClusterConfig(td, port, def, nodes, workloads, rules);
    }

    private static SpiffeSelector selector(String s, String where) {
        try {
            return SpiffeSelector.parse(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
    }

    private static String ifname(String s, String where) {
        if (!IFNAME.matcher(s).matches()) {
            throw new IllegalArgumentException(where + " '" + s + "' is not an interface name (1-15 characters)");
        }
        return s;
    }

    private static InetAddress ip(String s, String where) {
        // Only literals: a host name here would mean a DNS lookup at load time.
        if (!IP_LITERAL.matcher(s).matches()) {
            throw new IllegalArgumentException(where + " '" + s + "' is not an IPv4 or IPv6 address");
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(where + " '" + s + "' is not an IPv4 or IPv6 address");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o, String where) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(where + " must be a mapping");
        }
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                throw new IllegalArgumentException(where + ": key " + k + " is not a string");
            }
        }
        return (Map<String, Object>) m;
    }

    private static List<?> list(Object o, String where) {
        if (o == null) {
            return List.of();
        }
        if (!(o instanceof List<?> l)) {
            throw new IllegalArgumentException(where + " must be a list");
        }
        return l;
    }

    private static void known(Map<String, Object> m, String where, String... keys) {
        Set<String> allowed = Set.of(keys);
        for (String k : m.keySet()) {
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException(where + ": unknown field '" + k + "' (known: " + String.join(", ", keys) + ")");
            }
        }
    }

    private static String string(Map<String, Object> m, String key, String where) {
        Object v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException(where + ": missing '" + key + "'");
        }
        if (v instanceof Map || v instanceof List) {
            throw new IllegalArgumentException(where + "." + key + " must be a single value");
        }
        return String.valueOf(v).trim();
    }

    private static int integer(Object v, String where) {
        if (v instanceof Integer n) {
            return n;
        }
        throw new IllegalArgumentException(where + " must be a whole number");
    }
}
