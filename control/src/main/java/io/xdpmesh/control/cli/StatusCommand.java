package io.xdpmesh.control.cli;

import io.xdpmesh.control.StateDir;
import io.xdpmesh.control.json.JsonText;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Shows the agent: alive or not, its interfaces (XDP mode native/generic, AF_XDP copy/zero-copy),",
                "identities and their expiry, peers and sessions, and the TLS crypto provider (ACCP or the JDK's, and why).",
                "Reads <state-dir>/" + StateDir.STATUS + ", which the agent rewrites every 2 s; no RPC.",
                "Exit code 0 when the agent is running, 1 (with one line saying why) when it is not."})
final class StatusCommand implements Runnable {
    @CommandLine.Mixin
    StateDirOption state;
    @Option(names = "--json", description = "{\"alive\": bool, \"status\": <the status file>}")
    boolean json;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The parsed status file, or null when there is none. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> readStatus(Path stateDir) {
        try {
            return (Map<String, Object>) JsonText.parse(Files.readString(StateDir.status(stateDir)));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(StateDir.status(stateDir) + ": " + e.getMessage(), e);
        }
    }

    static long pid(Map<String, Object> st) {
        return ((Number) st.get("pid")).longValue();
    }

    static boolean alive(Map<String, Object> st) {
        return "running".equals(st.get("state"))
                && ProcessHandle.of(pid(st)).map(ProcessHandle::isAlive).orElse(false);
    }

    @Override
    public void run() {
        Map<String, Object> st = readStatus(state.stateDir);
        if (st == null) {
            throw new IllegalStateException("no agent status in " + StateDir.status(state.stateDir)
                    + ": no agent has run with this state directory (see --state-dir)");
        }
        boolean alive = alive(st);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            try {
                out.println("{\"alive\":" + alive + ",\"status\":" + Files.readString(StateDir.status(state.stateDir)).strip() + "}");
            } catch (IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        } else {
            print(out, st, alive);
        }
        out.flush();
        if (!alive) {
            throw new IllegalStateException("agent pid " + pid(st) + " for node " + st.get("node") + " is not running");
        }
    }

    private static String ago(Object iso) {
        Duration d = Duration.between(Instant.parse((String) iso), Instant.now());
        return d.toSeconds() + " s ago";
    }

    static String until(Object iso) {
        long s = Duration.between(Instant.now(), Instant.parse((String) iso)).toSeconds();
        if (s < 0) {
            return "EXPIRED " + (-s) + " s ago";
        }
        return s < 3600 ? "in " + s + " s" : s < 172800 ? "in " + s / 3600 + " h" : "in " + s / 86400 + " d";
    }

    @SuppressWarnings("unchecked")
    private static void print(PrintWriter out, Map<String, Object> st, boolean alive) {
        out.printf("agent %s: %s (pid %d, started %s, status written %s)%n", st.get("node"),
                alive ? "RUNNING" : "NOT RUNNING", pid(st), st.get("startedAt"), ago(st.get("updatedAt")));
        out.printf("  cluster file %s, trust domain %s%n", st.get("clusterFile"), st.get("trustDomain"));
        Map<String, Object> hs = (Map<String, Object>) st.get("handshake");
        out.printf("  handshake   TLS 1.3 mTLS on %s, crypto: %s%n", hs.get("listen"), hs.get("providerDetail"));
        out.printf("  payload     WireGuard transport data, ChaCha20-Poly1305 via %s%n", hs.get("packetAead"));
        out.println("interfaces:");
        for (Object o : (List<Object>) st.get("interfaces")) {
            Map<String, Object> i = (Map<String, Object>) o;
            out.printf("  %-16s %-7s program id %-6d XDP %-7s AF_XDP %s%s%n", i.get("name"), i.get("role"),
                    ((Number) i.get("programId")).longValue(), i.get("xdpMode"), i.get("xskMode"),
                    Boolean.TRUE.equals(i.get("adopted")) ? "  (re-adopted from a previous run)" : "");
        }
        out.printf("identities (%s):%n", st.get("identitySource"));
        for (Object o : (List<Object>) st.get("identities")) {
            Map<String, Object> i = (Map<String, Object>) o;
            out.printf("  %-56s expires %s (%s)%n", i.get("id"), i.get("notAfter"), until(i.get("notAfter")));
        }
        out.println("peers:");
        for (Object o : (List<Object>) st.get("peers")) {
            Map<String, Object> p = (Map<String, Object>) o;
            out.printf("  %-10s %-24s %d sessions%n", p.get("node"), p.get("address"), ((Number) p.get("sessions")).longValue());
        }
        List<Object> sessions = (List<Object>) st.get("sessions");
        out.println("sessions:" + (sessions.isEmpty() ? " none yet (a pair's first packet starts its handshake)" : ""));
        for (Object o : sessions) {
            Map<String, Object> s = (Map<String, Object>) o;
            out.printf("  %s -> %s @ %s  %s, %s, epoch %d, expires %s%n", s.get("local"), s.get("remote"), s.get("node"),
                    s.get("authType"), Boolean.TRUE.equals(s.get("initiator")) ? "initiator" : "responder",
                    ((Number) s.get("epoch")).longValue(), until(s.get("expiresAt")));
        }
        Map<String, Object> dp = (Map<String, Object>) st.get("dataplane");
        out.printf("dataplane: %d sessions, %d frames held for handshakes, %d errors%s%n",
                ((Number) dp.get("sessions")).longValue(), ((Number) dp.get("heldFrames")).longValue(),
                ((Number) dp.get("errors")).longValue(), dp.get("lastError") == null ? "" : " (last: " + dp.get("lastError") + ")");
    }
}
