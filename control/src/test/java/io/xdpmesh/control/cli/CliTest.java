package io.xdpmesh.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.control.StateDir;
import io.xdpmesh.control.ca.SvidLayout;
import io.xdpmesh.control.handshake.FailureReason;
import io.xdpmesh.dataplane.authcache.AuthCache;
import io.xdpmesh.dataplane.authcache.AuthEntry;
import io.xdpmesh.dataplane.authcache.AuthKey;
import io.xdpmesh.dataplane.authcache.AuthType;
import io.xdpmesh.dataplane.authcache.IdentityHash;
import io.xdpmesh.dataplane.counters.CountersFile;
import io.xdpmesh.dataplane.counters.DropCounters;
import io.xdpmesh.dataplane.counters.DropReason;
import io.xdpmesh.dataplane.counters.StatCounters;
import io.xdpmesh.dataplane.flow.FlowTable;
import io.xdpmesh.dataplane.parse.ParsedFrame;
import io.xdpmesh.dataplane.policy.Verdict;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI in-process (picocli), against real files; certificates checked by openssl. */
class CliTest {
    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static String sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return p.exitValue() + ":" + out;
    }

    @Test
    void everyCommandHasHelpAndUsageErrorsExitNonZero() {
        for (List<String> c : List.<List<String>>of(List.of(), List.of("ca"), List.of("ca", "init"), List.of("ca", "issue"),
                List.of("ca", "sni"), List.of("stats"), List.of("cache"), List.of("agent"), List.of("status"), List.of("flows"))) {
            String[] args = java.util.stream.Stream.concat(c.stream(), java.util.stream.Stream.of("--help")).toArray(String[]::new);
            // picocli reports a description it cannot format (a bare '%') on System.err, not on the
            // command line's writer: catch it there, so a help text is never printed unformatted
            java.io.PrintStream stderr = System.err;
            java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
            Result r;
            System.setErr(new java.io.PrintStream(warnings, true, StandardCharsets.UTF_8));
            try {
                r = run(args);
            } finally {
                System.setErr(stderr);
            }
            assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.out().contains("Usage: xdpmesh"), r.out());
            assertFalse(warnings.toString(StandardCharsets.UTF_8).contains("picocli WARN"),
                    String.join(" ", args) + ": " + warnings.toString(StandardCharsets.UTF_8));
        }
        Result none = run();
        assertEquals(2, none.exit());
        assertTrue(none.err().contains("a command is required"));
        assertEquals(2, run("ca", "init", "--dir", dir.toString()).exit(), "missing --trust-domain");
        assertEquals(2, run("frobnicate").exit());
        // --help lists exactly the commands there are.
        String help = run("--help").out();
        for (String command : List.of("agent", "status", "flows", "stats", "cache", "ca")) {
            assertTrue(help.lines().anyMatch(l -> l.matches("\\s+" + command + "\\b.*")), help);
        }
    }

    @Test
    void caInitAndIssueProduceSvidsOpensslVerifies() throws Exception {
        Path ca = dir.resolve("ca");
        Result init = run("ca", "init", "--trust-domain", "cli.test", "--dir", ca.toString());
        assertEquals(0, init.exit(), init.err());
        assertEquals(1, run("ca", "init", "--trust-domain", "cli.test", "--dir", ca.toString()).exit(), "no overwrite");
        Result issue = run("ca", "issue", "--dir", ca.toString(), "--spiffe-id", "spiffe://cli.test/ns/shop/sa/web");
        assertEquals(0, issue.exit(), issue.err());
        Path w = ca.resolve("svids/shop.web");
        String verify = sh("openssl", "verify", "-CAfile", ca.resolve("bundle.pem").toString(), "-untrusted",
                ca.resolve("intermediate.pem").toString(), "-purpose", "sslclient", SvidLayout.svid(w).toString());
        assertTrue(verify.startsWith("0:") && verify.contains("OK"), verify);
        String text = sh("openssl", "x509", "-in", SvidLayout.svid(w).toString(), "-noout", "-text");
        assertTrue(text.contains("URI:spiffe://cli.test/ns/shop/sa/web"), text);
        assertTrue(text.contains("CA:FALSE"), text);
        assertTrue(text.contains("Digital Signature"), text);
        assertTrue(text.contains("TLS Web Server Authentication, TLS Web Client Authentication"), text);
        assertTrue(text.contains("prime256v1"), text);
        String key = sh("openssl", "pkey", "-in", SvidLayout.key(w).toString(), "-noout");
        assertTrue(key.startsWith("0:"), key);

        Result node = run("ca", "issue", "--dir", ca.toString(), "--node", "node-a", "--out", dir.resolve("node-a").toString());
        assertEquals(0, node.exit(), node.err());
        assertTrue(sh("openssl", "x509", "-in", dir.resolve("node-a/svid.pem").toString(), "-noout", "-ext",
                "subjectAltName").contains("URI:spiffe://cli.test/xdpmesh/node/node-a"));

        Result expired = run("ca", "issue", "--dir", ca.toString(), "--spiffe-id", "spiffe://cli.test/ns/shop/sa/old",
                "--ttl", "-1h", "--out", dir.resolve("old").toString());
        assertEquals(0, expired.exit(), expired.err());
        String v2 = sh("openssl", "verify", "-CAfile", ca.resolve("bundle.pem").toString(), "-untrusted",
                ca.resolve("intermediate.pem").toString(), dir.resolve("old/svid.pem").toString());
        assertTrue(v2.contains("certificate has expired"), v2);

        Result foreign = run("ca", "issue", "--dir", ca.toString(), "--spiffe-id", "spiffe://other.test/ns/x/sa/y");
        assertEquals(1, foreign.exit());
        assertTrue(foreign.err().contains("not in this CA's trust domain"), foreign.err());
        assertEquals(1, foreign.err().strip().lines().count(), "one-line reason");
        assertEquals(1, run("ca", "issue", "--dir", dir.resolve("nope").toString(), "--node", "n").exit());
    }

    @Test
    void statsReadsTheCountersFile() throws Exception {
        try (CountersFile cf = CountersFile.create(StateDir.counters(dir), 256)) {
            DropCounters drops = new DropCounters(cf.manager());
            drops.drop(DropReason.HANDSHAKE_TIMEOUT, 7);
            new io.xdpmesh.control.handshake.HandshakeCounters(cf.manager());
            Result r = run("stats", "--state-dir", dir.toString());
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().matches("(?s).*drop\\.handshake_timeout\\s+7\\n.*"), r.out());
            assertTrue(r.out().contains("handshake.fail.untrusted_chain"), r.out());
            assertTrue(r.out().contains("running"), r.out());
            Result j = run("stats", "--state-dir", dir.toString(), "--json", "--nonzero");
            assertEquals(0, j.exit(), j.err());
            assertTrue(j.out().contains("{\"label\":\"drop.handshake_timeout\",\"type\":\"drop\",\"value\":7}"), j.out());
            Result w = run("stats", "--state-dir", dir.toString(), "--watch", "--interval", "1s", "--count", "2", "--nonzero");
            assertEquals(0, w.exit(), w.err());
            assertTrue(w.out().contains("0.0/s"), w.out());
        }
        Result missing = run("stats", "--state-dir", dir.resolve("none").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("is the agent running"), missing.err());
    }

    @Test
    void statsSumsTheCountersOfSeveralDataplaneThreadsByLabel() throws Exception {
        try (CountersFile cf = CountersFile.create(StateDir.counters(dir), 1024)) {
            // what Dataplane does with 2 threads: each its own counters, same labels
            DropCounters d0 = new DropCounters(cf.manager());
            DropCounters d1 = new DropCounters(cf.manager());
            StatCounters s0 = new StatCounters(cf.manager(), new String[] {"lxa", "up"}, 8);
            StatCounters s1 = new StatCounters(cf.manager(), new String[] {"up"}, 8);
            s1.name(1, "lxb"); // a pod interface with a queue on thread 1 only
            d0.drop(DropReason.TUNNEL_REPLAY, 3);
            d1.drop(DropReason.TUNNEL_REPLAY, 4);
            d1.drop(DropReason.POD_QUEUE_NOT_ON_THREAD, 5); // only thread 1 counts this one
            StatCounters.add(s0.sealed, 100);
            StatCounters.add(s1.sealed, 23);
            s0.rx(1, 10, 1000); // uplink queue 0
            s1.rx(0, 7, 700); // uplink queue 1
            s0.rx(0, 2, 200); // lxa, thread 0 only
            s1.rx(1, 9, 900); // lxb, thread 1 only
            Map<String, StatsCommand.Counter> byLabel = new java.util.HashMap<>();
            for (StatsCommand.Counter c : StatsCommand.read(cf.reader())) {
                assertEquals(null, byLabel.put(c.label(), c), "one line per label: " + c.label());
            }
            assertEquals(7, byLabel.get("drop.tunnel_replay").value());
            assertEquals("drop", byLabel.get("drop.tunnel_replay").type());
            assertEquals(5, byLabel.get("drop.pod_queue_not_on_thread").value());
            assertEquals(123, byLabel.get("stat.sealed").value());
            assertEquals(17, byLabel.get("if.up.rx_frames").value());
            assertEquals(1700, byLabel.get("if.up.rx_bytes").value());
            assertEquals(2, byLabel.get("if.lxa.rx_frames").value());
            assertEquals(9, byLabel.get("if.lxb.rx_frames").value());
            assertEquals(0, byLabel.get("drop.unknown_source").value());
            Result j = run("stats", "--state-dir", dir.toString(), "--json", "--nonzero");
            assertEquals(0, j.exit(), j.err());
            assertTrue(j.out().contains("{\"label\":\"stat.sealed\",\"type\":\"stat\",\"value\":123}"), j.out());
            assertEquals(1, j.out().split("\"stat.sealed\"", -1).length - 1, j.out());
            Result t = run("stats", "--state-dir", dir.toString());
            assertTrue(t.out().matches("(?s).*if\\.up\\.rx_frames\\s+17\\n.*"), t.out());
        }
    }

    @Test
    void flowsMergesTheRegionsOfSeveralDataplaneThreads() throws Exception {
        try (FlowTable t = FlowTable.create(StateDir.flows(dir), 64, 2)) {
            long src = ParsedFrame.v4MappedLo(0x0a010101);
            long dst = ParsedFrame.v4MappedLo(0x0a010201);
            long now = System.currentTimeMillis();
            t.region(0).record(0, src, 0, dst, 6, 40000, 80, Verdict.ENCRYPT.ordinal(), 0, 100, now - 5000);
            t.region(1).record(0, src, 0, dst, 6, 40000, 80, Verdict.ENCRYPT.ordinal(), 0, 100, now);
            t.region(1).record(0, src, 0, dst, 6, 40000, 80, Verdict.ENCRYPT.ordinal(), 0, 100, now);
            t.region(1).record(0, src, 0, dst, 6, 40001, 80, Verdict.ENCRYPT.ordinal(), 0, 60, now);
            Result j = run("flows", "--state-dir", dir.toString(), "--json");
            assertEquals(0, j.exit(), j.err());
            assertEquals(2, j.out().split("\"direction\"", -1).length - 1, "one entry per flow: " + j.out());
            assertTrue(j.out().contains("\"srcPort\":40000,\"dst\":\"10.1.2.1\",\"dstPort\":80,\"verdict\":\"encrypt\","
                    + "\"packets\":3,\"bytes\":300"), j.out());
            assertTrue(j.out().contains("\"srcPort\":40001,"), j.out());
            Result r = run("flows", "--state-dir", dir.toString());
            assertTrue(r.out().contains("merged over 2 dataplane threads"), r.out());
        }
    }

    @Test
    void flowsReadsTheFlowTableAndWatchShowsRates() throws Exception {
        try (FlowTable t = FlowTable.create(StateDir.flows(dir), 64)) {
            long src = ParsedFrame.v4MappedLo(0x0a010101);
            long dst = ParsedFrame.v4MappedLo(0x0a010201);
            long now = System.currentTimeMillis();
            for (int i = 0; i < 3; i++) {
                t.record(0, src, 0, dst, 17, 1000, 53, Verdict.ENCRYPT.ordinal(), 0, 100, now);
            }
            Result r = run("flows", "--state-dir", dir.toString());
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("10.1.1.1:1000") && r.out().contains("10.1.2.1:53"), r.out());
            assertTrue(r.out().contains("encrypt"), r.out());
            Result j = run("flows", "--state-dir", dir.toString(), "--json");
            assertEquals(0, j.exit(), j.err());
            assertTrue(j.out().contains("\"packets\":3"), j.out());
            Result w = run("flows", "--state-dir", dir.toString(), "--watch", "--interval", "1s", "--count", "2", "--json");
            assertEquals(0, w.exit(), w.err());
            assertEquals(2, w.out().strip().lines().count(), "one JSON array per interval: " + w.out());
        }
    }

    @Test
    void cacheListsEntriesFromTheChronicleFile() throws Exception {
        try (AuthCache cache = AuthCache.open(StateDir.authCache(dir).toFile(), 1024)) {
            long now = System.currentTimeMillis();
            cache.put(new AuthKey().set(IdentityHash.of("spiffe://t/ns/a/sa/a"), IdentityHash.of("spiffe://t/ns/b/sa/b"),
                    IdentityHash.of("node-b"), AuthType.SPIFFE_ENCRYPT),
                    new AuthEntry().set(now + 120_000, 0x1234, AuthEntry.STATE_ESTABLISHED, 0, now));
            cache.put(new AuthKey().set(IdentityHash.of("spiffe://t/ns/a/sa/a"), IdentityHash.of("spiffe://t/ns/c/sa/c"),
                    IdentityHash.of("node-b"), AuthType.SPIFFE_ENCRYPT),
                    new AuthEntry().set(now, 0, AuthEntry.STATE_FAILED, FailureReason.NODE_BINDING.ordinal(), now));
        }
        Result r = run("cache", "--state-dir", dir.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("2 identity pairs"), r.out());
        assertTrue(r.out().contains("established"), r.out());
        assertTrue(r.out().contains("failed (node_binding)"), r.out());
        Result j = run("cache", "--state-dir", dir.toString(), "--json");
        assertEquals(0, j.exit(), j.err());
        assertTrue(j.out().contains("\"state\":\"established\""), j.out());
        assertTrue(j.out().contains("\"sessionIndex\":4660"), j.out());
        Result missing = run("cache", "--state-dir", dir.resolve("none").toString());
        assertEquals(1, missing.exit());
    }

    @Test
    void statusAndFlowsWithoutAnAgentExitOneWithOneLine() {
        Result st = run("status", "--state-dir", dir.toString());
        assertEquals(1, st.exit());
        assertEquals(1, st.err().strip().lines().count(), st.err());
        assertTrue(st.err().contains("no agent status"), st.err());
        Result fl = run("flows", "--state-dir", dir.toString());
        assertEquals(1, fl.exit());
        assertTrue(fl.err().contains("flows.dat does not exist"), fl.err());
        Result ag = run("agent", "--node", "n1");
        assertEquals(2, ag.exit(), "usage error: " + ag.err());
        assertTrue(ag.err().contains("--config is required"), ag.err());
    }

    @Test
    void statusOfAStoppedAgentIsShownAndExitsOne() throws Exception {
        // What the agent writes when it stops: a status file whose process is gone.
        java.nio.file.Files.writeString(StateDir.status(dir), """
                {"pid": 2147483646, "state": "stopped", "node": "n1", "startedAt": "2026-01-01T00:00:00Z",
                 "updatedAt": "2026-01-01T00:00:05Z", "clusterFile": "/c.yaml", "trustDomain": "t.test",
                 "handshake": {"listen": "10.0.0.1:4250", "provider": "JDK", "providerDetail": "JDK providers (x)",
                               "packetAead": "jdk"},
                 "interfaces": [{"name": "l1", "role": "pod", "xdpMode": "native", "programId": 7, "adopted": true,
                                 "xskMode": "copy"}],
                 "identitySource": "files", "identities": [{"id": "spiffe://t.test/ns/a/sa/b", "notAfter": "2026-01-02T00:00:00Z"}],
                 "peers": [{"node": "n2", "address": "10.0.0.2", "sessions": 1}],
                 "sessions": [{"local": "spiffe://t.test/ns/a/sa/b", "remote": "spiffe://t.test/ns/a/sa/c", "node": "n2",
                               "initiator": true, "epoch": 3, "authType": "encrypt", "installedAt": "2026-01-01T00:00:01Z",
                               "expiresAt": "2026-01-01T00:03:00Z"}],
                 "dataplane": {"errors": 0, "lastError": null, "heldFrames": 0, "sessions": 1}}
                """);
        Result r = run("status", "--state-dir", dir.toString());
        assertEquals(1, r.exit());
        assertTrue(r.out().contains("agent n1: NOT RUNNING"), r.out());
        assertTrue(r.out().contains("XDP native") && r.out().contains("AF_XDP copy") && r.out().contains("re-adopted"), r.out());
        assertTrue(r.out().contains("initiator, epoch 3"), r.out());
        assertTrue(r.err().contains("is not running"), r.err());
        Result j = run("status", "--state-dir", dir.toString(), "--json");
        assertTrue(j.out().startsWith("{\"alive\":false,\"status\":{"), j.out());
        assertEquals(Boolean.FALSE, ((java.util.Map<?, ?>) io.xdpmesh.control.json.JsonText.parse(j.out())).get("alive"));
    }
}
