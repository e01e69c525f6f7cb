package io.xdpmesh.control.cli;

import io.xdpmesh.control.StateDir;
import io.xdpmesh.dataplane.cluster.ClusterConfig;
import io.xdpmesh.dataplane.cluster.ClusterFileParser;
import io.xdpmesh.dataplane.cluster.WorkloadSpec;
import io.xdpmesh.dataplane.flow.FlowRecord;
import io.xdpmesh.dataplane.flow.FlowTable;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "flows", mixinStandardHelpOptions = true,
        description = {"Lists recent flows the dataplane saw (per 5-tuple: direction, verdict, packets, bytes, first and",
                "last seen), newest first. Reads <state-dir>/" + StateDir.FLOWS + " (shared memory, a seqlock per entry)",
                "from this process; no RPC, the dataplane is never paused. Each dataplane thread records its",
                "own flows (a region each); a flow seen by several threads is shown once, packets and bytes",
                "summed. It is a view of recent flows: a colliding new flow takes an old one's slot.",
                "--watch adds per-flow packet and byte rates."})
final class FlowsCommand implements Runnable {
    @CommandLine.Mixin
    StateDirOption state;
    @Option(names = "--json", description = "A JSON array of flows (one per interval with --watch)")
    boolean json;
    @Option(names = "--cluster", description = "Cluster file (YAML) to name the workloads behind the addresses")
    Path cluster;
    @Option(names = "--limit", defaultValue = "50", description = "Show at most this many flows (default: ${DEFAULT-VALUE})")
    int limit;
    @CommandLine.Mixin
    WatchOptions watch;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        Path file = StateDir.flows(state.stateDir);
        if (!Files.exists(file)) {
            throw new IllegalStateException(file + " does not exist: is the agent running with this state directory?");
        }
        Map<InetAddress, String> names = names();
        PrintWriter out = spec.commandLine().getOut();
        try (FlowTable t = FlowTable.openReadOnly(file)) {
            Map<String, FlowRecord> previous = new HashMap<>();
            boolean[] first = {true};
            watch.run(seconds -> {
                List<FlowRecord> flows = new ArrayList<>(t.snapshot());
                flows.sort(Comparator.comparingLong(FlowRecord::lastSeenMillis).reversed());
                if (flows.size() > limit) {
                    flows = flows.subList(0, limit);
                }
                print(out, file, t.regions(), flows, names, first[0] ? null : previous, seconds);
                out.flush();
                first[0] = false;
                previous.clear();
                for (FlowRecord f : flows) {
                    previous.put(key(f), f);
                }
            });
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(file + ": " + e.getMessage(), e);
        }
    }

    private Map<InetAddress, String> names() {
        Map<InetAddress, String> m = new HashMap<>();
        if (cluster == null) {
            return m;
        }
        try {
            ClusterConfig c = ClusterFileParser.parse(Files.readString(cluster), cluster.toString());
            for (WorkloadSpec w : c.workloads()) {
                String sa = w.spiffeId().substring(w.spiffeId().lastIndexOf('/') + 1);
                for (InetAddress a : w.ips()) {
                    m.put(a, sa);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cluster file " + cluster + ": " + e.getMessage(), e);
        }
        return m;
    }

    private static String key(FlowRecord f) {
        return f.direction() + " " + f.protocol() + " " + f.src() + " " + f.srcPort() + " " + f.dst() + " " + f.dstPort();
    }

    static String proto(int p) {
        return switch (p) {
            case 1 -> "icmp";
            case 6 -> "tcp";
            case 17 -> "udp";
            case 58 -> "icmpv6";
            default -> "ip/" + p;
        };
    }

    private static String endpoint(InetAddress a, int port, int proto, Map<InetAddress, String> names) {
        String host = a.getHostAddress();
        String s = (proto == 6 || proto == 17) ? (host.contains(":") ? "[" + host + "]:" + port : host + ":" + port) : host;
        String n = names.get(a);
        return n == null ? s : s + "(" + n + ")";
    }

    private void print(PrintWriter out, Path file, int threads, List<FlowRecord> flows, Map<InetAddress, String> names,
            Map<String, FlowRecord> previous, double secs) {
        if (json) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < flows.size(); i++) {
                FlowRecord f = flows.get(i);
                b.append(i == 0 ? "" : ",").append("{\"direction\":").append(Json.str(f.direction() == 0 ? "egress" : "ingress"))
                        .append(",\"protocol\":").append(Json.str(proto(f.protocol())))
                        .append(",\"src\":").append(Json.str(f.src().getHostAddress())).append(",\"srcPort\":").append(f.srcPort())
                        .append(",\"dst\":").append(Json.str(f.dst().getHostAddress())).append(",\"dstPort\":").append(f.dstPort())
                        .append(",\"verdict\":").append(Json.str(f.verdict() == null ? null : f.verdict().name().toLowerCase()))
                        .append(",\"packets\":").append(f.packets()).append(",\"bytes\":").append(f.bytes())
                        .append(",\"firstSeen\":").append(Json.str(Instant.ofEpochMilli(f.firstSeenMillis()).toString()))
                        .append(",\"lastSeen\":").append(Json.str(Instant.ofEpochMilli(f.lastSeenMillis()).toString()));
                FlowRecord p = previous == null ? null : previous.get(key(f));
                if (p != null) {
                    b.append(",\"pps\":").append(String.format("%.1f", (f.packets() - p.packets()) / secs))
                            .append(",\"bps\":").append(String.format("%.0f", 8 * (f.bytes() - p.bytes()) / secs));
                }
                b.append('}');
            }
            out.println(b.append(']'));
            return;
        }
        out.printf("%d flows in %s (newest first%s)%n", flows.size(), file,
                threads > 1 ? ", merged over " + threads + " dataplane threads" : "");
        long now = System.currentTimeMillis();
        for (FlowRecord f : flows) {
            FlowRecord p = previous == null ? null : previous.get(key(f));
            String rate = p == null ? "" : String.format("  %.0f pkt/s %.2f Mbit/s", (f.packets() - p.packets()) / secs,
                    8e-6 * (f.bytes() - p.bytes()) / secs);
            out.printf("  %-7s %-6s %s -> %s  %s  %d pkts %d B  last seen %d s ago%s%n", f.direction() == 0 ? "egress" : "ingress",
                    proto(f.protocol()), endpoint(f.src(), f.srcPort(), f.protocol(), names),
                    endpoint(f.dst(), f.dstPort(), f.protocol(), names),
                    f.verdict() == null ? "?" : f.verdict().name().toLowerCase(), f.packets(), f.bytes(),
                    Math.max(0, (now - f.lastSeenMillis()) / 1000), rate);
        }
    }
}
