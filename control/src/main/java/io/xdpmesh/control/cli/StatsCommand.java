package io.xdpmesh.control.cli;

import io.xdpmesh.control.StateDir;
import io.xdpmesh.dataplane.counters.CounterTypes;
import io.xdpmesh.dataplane.counters.CountersFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.agrona.concurrent.status.CountersReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "stats", mixinStandardHelpOptions = true,
        description = {"Prints every counter the agent publishes: dataplane statistics, drops by reason (drop.*),",
                "and handshake outcomes and failure reasons (handshake.*). Reads <state-dir>/" + StateDir.COUNTERS,
                "from this process (shared memory, no RPC; the agent is never paused).",
                "With --watch, prints the values and per-second rates every --interval."})
final class StatsCommand implements Runnable {
    @CommandLine.Mixin
    StateDirOption state;
    @Option(names = "--json", description = "One JSON object (per interval with --watch)")
    boolean json;
    @CommandLine.Mixin
    WatchOptions watch;
    @Option(names = "--nonzero", description = "Only counters that are not zero")
    boolean nonzero;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    record Counter(String label, String type, long value) {}

    static String typeName(int typeId) {
        return switch (typeId) {
            case CounterTypes.STAT -> "stat";
            case CounterTypes.DROP -> "drop";
            case CounterTypes.HANDSHAKE -> "handshake";
            default -> "type" + typeId;
        };
    }

    /** Every counter by label; counters of several dataplane threads share labels and are summed. */
    static List<Counter> read(CountersReader r) {
        Map<String, Counter> byLabel = new LinkedHashMap<>();
        r.forEach((id, typeId, key, label) -> byLabel.merge(label, new Counter(label, typeName(typeId),
                r.getCounterValue(id)), (a, b) -> new Counter(a.label(), a.type(), a.value() + b.value())));
        return new ArrayList<>(byLabel.values());
    }

    @Override
    public void run() {
        Path file = StateDir.counters(state.stateDir);
        try (CountersFile cf = CountersFile.openReadOnly(file)) {
            PrintWriter out = spec.commandLine().getOut();
            Map<String, Long> previous = new LinkedHashMap<>();
            boolean[] first = {true};
            watch.run(seconds -> {
                List<Counter> now = read(cf.reader());
                print(out, cf, now, first[0] ? null : previous, seconds);
                out.flush();
                first[0] = false;
                previous.clear();
                for (Counter c : now) {
                    previous.put(c.label(), c.value());
                }
            });
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private void print(PrintWriter out, CountersFile cf, List<Counter> counters, Map<String, Long> previous, double seconds) {
        List<Counter> shown = nonzero ? counters.stream().filter(c -> c.value() != 0).toList() : counters;
        if (json) {
            StringBuilder b = new StringBuilder("{\"file\":").append(Json.str(cf.path().toString()))
                    .append(",\"writerPid\":").append(cf.writerPid())
                    .append(",\"writerAlive\":").append(cf.writerAlive())
                    .append(",\"startMillis\":").append(cf.startMillis())
                    .append(",\"counters\":[");
            for (int i = 0; i < shown.size(); i++) {
                Counter c = shown.get(i);
                b.append(i == 0 ? "" : ",").append("{\"label\":").append(Json.str(c.label())).append(",\"type\":")
                        .append(Json.str(c.type())).append(",\"value\":").append(c.value());
                if (previous != null && previous.containsKey(c.label())) {
                    b.append(",\"ratePerSecond\":").append(String.format("%.1f", (c.value() - previous.get(c.label())) / seconds));
                }
                b.append('}');
            }
            out.println(b.append("]}"));
            return;
        }
        out.printf("counters of agent pid %d (%s), %s%n", cf.writerPid(), cf.writerAlive() ? "running" : "NOT running",
                cf.path());
        String type = null;
        for (Counter c : shown) {
            if (!c.type().equals(type)) {
                type = c.type();
                out.println("[" + type + "]");
            }
            if (previous != null && previous.containsKey(c.label())) {
                out.printf("  %-48s %16d %12.1f/s%n", c.label(), c.value(), (c.value() - previous.get(c.label())) / seconds);
            } else {
                out.printf("  %-48s %16d%n", c.label(), c.value());
            }
        }
        if (shown.isEmpty()) {
            out.println(nonzero ? "  (all counters are zero)" : "  (no counters)");
        }
    }
}
