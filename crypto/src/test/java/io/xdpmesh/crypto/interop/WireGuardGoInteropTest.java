package io.xdpmesh.crypto.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xdpmesh.crypto.noise.StaticKeyPair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Year;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Interop against wireguard-go (Debian's, a TUN device) in namespace A and {@link JavaWireGuardPeer}
 * (crypto/'s handshake and transport data over a plain UDP socket) in namespace B, joined by a
 * veth pair. ping through wireguard-go's interface must be answered by the Java peer (handshake
 * initiated by wireguard-go), the Java peer's pings must be answered by namespace A's kernel
 * (handshake initiated by Java), and under load the cookie exchange must work. tshark, forced to
 * decode UDP 51871 as WireGuard, must see the message types each scenario implies.
 */
@Tag("kernel")
class WireGuardGoInteropTest {
    private static final int PORT = 51871;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String id = "xm" + HexFormat.of().toHexDigits((short) RANDOM.nextInt());
    private final String nsA = id + "a";
    private final String nsB = id + "b";
    private final String vethA = id + "va";
    private final String vethB = id + "vb";
    private final String wg = id + "wg";
    private final int net = 1 + RANDOM.nextInt(250);
    private final String outerA = "10.231." + net + ".1";
    private final String outerB = "10.231." + net + ".2";
    private final String innerA = "10.232." + net + ".1";
    private final String innerB = "10.232." + net + ".2";
    private final List<Sh.Background> processes = new ArrayList<>();
    private final StaticKeyPair wgKey = StaticKeyPair.generate(RANDOM);
    private final StaticKeyPair javaKey = StaticKeyPair.generate(RANDOM);
    private Path dir;

    @BeforeEach
    void topology() throws IOException {
        dir = Files.createTempDirectory(id);
        Sh.ok("ip", "netns", "add", nsA);
        Sh.ok("ip", "netns", "add", nsB);
        Sh.ok("ip", "link", "add", vethA, "netns", nsA, "type", "veth", "peer", "name", vethB, "netns", nsB);
        Sh.ok("ip", "-n", nsA, "addr", "add", outerA + "/24", "dev", vethA);
        Sh.ok("ip", "-n", nsB, "addr", "add", outerB + "/24", "dev", vethB);
        for (String[] nl : new String[][] {{nsA, vethA}, {nsA, "lo"}, {nsB, vethB}, {nsB, "lo"}}) {
            Sh.ok("ip", "-n", nl[0], "link", "set", nl[1], "up");
        }
    }

    @AfterEach
    void teardown() throws Exception {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
        Sh.quiet("ip", "netns", "del", nsA);
        Sh.quiet("ip", "netns", "del", nsB);
        Files.deleteIfExists(Path.of("/var/run/wireguard", wg + ".sock"));
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    @ParameterizedTest(name = "psk={0}")
    @ValueSource(booleans = {false, true})
    void wireguardGoInitiatesAndJavaAnswersPings(boolean psk) throws Exception {
        byte[] pskBytes = psk ? randomKey() : null;
        Sh.Background capture = startCapture();
        Sh.Background java = startJavaPeer(pskBytes, false);
        startWireguardGo(pskBytes, true);

        // Inner sizes 28, 84, 1028 and 1420 (= the MTU: padding capped there, not at a multiple of 16).
        int pings = 0;
        for (int size : new int[] {0, 56, 1000, 1392}) {
            assertPingsAnswered(Sh.run(30, "ip", "netns", "exec", nsA, "ping", "-n", "-c", "3", "-i", "0.2", "-W", "5",
                    "-s", Integer.toString(size), innerB), java);
            pings += 3;
        }
        Set<Integer> types = stopCapture(capture);

        assertEquals(1, java.count(l -> l.startsWith("SENT_RESPONSE")), java.transcript());
        assertEquals(pings, java.count(l -> l.startsWith("ECHO_REPLIED")), java.transcript());
        assertTrue(java.count(l -> l.contains("inner=1420 wire=1452 padded=1420")) >= 3, "MTU-capped padding\n" + java.transcript());
        assertTrue(java.count(l -> l.contains("inner=28 wire=64 padded=32")) >= 3, "16-byte padding\n" + java.transcript());
        assertNoRejects(java);
        assertTrue(types.containsAll(Set.of(1, 2, 4)), "tshark saw WireGuard types " + types);
        assertTrue(Sh.ok("ip", "netns", "exec", nsA, "wg", "show", wg, "latest-handshakes").matches("(?s)\\S+\\s+[1-9]\\d*\\s*"),
                "wireguard-go reports a completed handshake");
    }

    @Test
    void javaInitiatesAndPingsThroughWireguardGo() throws Exception {
        startWireguardGo(null, false); // no endpoint: wireguard-go learns it from our initiation
        Sh.Background capture = startCapture();
        Sh.Background java = startJavaPeer(null, false,
                "--endpoint=" + outerA + ":" + PORT, "--ping=" + innerA, "--count=5", "--size=100");
        assertNotNull(java.await(l -> l.startsWith("PINGS_DONE"), 30_000), java.transcript());
        // The session Java initiated also carries traffic wireguard-go starts.
        assertPingsAnswered(Sh.run(30, "ip", "netns", "exec", nsA, "ping", "-n", "-c", "2", "-i", "0.2", "-W", "5", innerB), java);
        Set<Integer> types = stopCapture(capture);
        // Wireshark's own WireGuard code, given wireguard-go's static private key, must find our
        // MAC1 keyed for wireguard-go and decrypt our initiation to our static key and a TAI64N.
        List<String[]> initiations = decodeInitiations(wgKey.privateKeyBase64());
        assertEquals(1, initiations.size());
        for (String[] f : initiations) {
            assertEquals(wgKey.publicKeyBase64(), f[0], "MAC1 receiver");
            assertEquals(javaKey.publicKeyBase64(), f[1], "decrypted static");
            assertTrue(f[2].contains(String.valueOf(Year.now(ZoneOffset.UTC).getValue())), "decrypted timestamp " + f[2]);
        }

        assertEquals(1, java.count(l -> l.startsWith("SESSION ") && l.contains("initiator=true")), java.transcript());
        assertEquals(0, java.count(l -> l.startsWith("SENT_RESPONSE")), "no second handshake needed\n" + java.transcript());
        assertTrue(java.count(l -> l.startsWith("PONG") && l.contains("from_target=true checksum_ok=true")) >= 5, java.transcript());
        assertNoRejects(java);
        assertTrue(types.containsAll(Set.of(1, 2, 4)), "tshark saw WireGuard types " + types);
    }

    @Test
    void underLoadWireguardGoGetsACookieAndRetriesWithMac2() throws Exception {
        Sh.Background capture = startCapture();
        Sh.Background java = startJavaPeer(null, true);
        startWireguardGo(null, true);
        // wireguard-go queues the ping, takes the cookie, retransmits after REKEY_TIMEOUT (5 s) with MAC2.
        assertPingsAnswered(Sh.run(40, "ip", "netns", "exec", nsA, "ping", "-n", "-c", "1", "-W", "20", innerB), java);
        assertPingsAnswered(Sh.run(30, "ip", "netns", "exec", nsA, "ping", "-n", "-c", "3", "-i", "0.2", "-W", "5", innerB), java);
        Set<Integer> types = stopCapture(capture);

        assertTrue(java.count(l -> l.equals("SENT_COOKIE_REPLY")) >= 1, java.transcript());
        assertEquals(1, java.count(l -> l.startsWith("SENT_RESPONSE") && l.endsWith("mac2=ok")), java.transcript());
        assertEquals(0, java.count(l -> l.startsWith("REJECT") || l.startsWith("OPEN_REJECT")), java.transcript());
        assertTrue(types.containsAll(Set.of(1, 2, 3, 4)), "tshark saw WireGuard types " + types);
    }

    private static byte[] randomKey() {
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        return k;
    }

    @AfterEach
    void printTranscripts() {
        processes.forEach(p -> System.out.println(p.transcript()));
    }

    private static void assertNoRejects(Sh.Background java) {
        assertEquals(0, java.count(l -> l.startsWith("REJECT") || l.startsWith("OPEN_REJECT") || l.startsWith("SEAL_REFUSED")),
                java.transcript());
    }

    private static void assertPingsAnswered(Sh.Result ping, Sh.Background java) {
        Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(ping.out());
        assertTrue(m.find(), "ping output: " + ping.out());
        assertEquals(m.group(1), m.group(2), "ping lost packets:\n" + ping.out() + "\n" + java.transcript());
        assertEquals(0, ping.exit(), ping.out());
    }

    private void startWireguardGo(byte[] psk, boolean withEndpoint) throws Exception {
        Sh.Background wgo = new Sh.Background("wireguard-go", "ip", "netns", "exec", nsA, "wireguard-go", "-f", wg);
        processes.add(wgo);
        long end = System.nanoTime() + 10_000_000_000L;
        while (Sh.run(5, "ip", "-n", nsA, "link", "show", wg).exit() != 0 || !Files.exists(Path.of("/var/run/wireguard", wg + ".sock"))) {
            assertTrue(System.nanoTime() < end && wgo.process.isAlive(), "wireguard-go did not create " + wg + "\n" + wgo.transcript());
            Thread.sleep(50);
        }
        Path keyFile = write("wg.key", wgKey.privateKeyBase64());
        // `wg pubkey` (wireguard-tools' X25519) must derive the same public key as ours.
        Sh.Result pub = Sh.run(10, "sh", "-c", "wg pubkey < " + keyFile);
        assertEquals(wgKey.publicKeyBase64(), pub.out().trim());
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", nsA, "wg", "set", wg,
                "private-key", keyFile.toString(), "listen-port", Integer.toString(PORT),
                "peer", javaKey.publicKeyBase64(), "allowed-ips", innerB + "/32"));
        if (withEndpoint) {
            cmd.addAll(List.of("endpoint", outerB + ":" + PORT));
        }
        if (psk != null) {
            cmd.addAll(List.of("preshared-key", write("wg.psk", Base64.getEncoder().encodeToString(psk)).toString()));
        }
        Sh.ok(cmd.toArray(String[]::new));
        Sh.ok("ip", "-n", nsA, "addr", "add", innerA + "/24", "dev", wg);
        Sh.ok("ip", "-n", nsA, "link", "set", wg, "up");
    }

    private Sh.Background startJavaPeer(byte[] psk, boolean underLoad, String... extra) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", nsB, java, "@" + jvmOptions(), "-cp", cp,
                JavaWireGuardPeer.class.getName(), "--private=" + javaKey.privateKeyBase64(),
                "--peer=" + wgKey.publicKeyBase64(), "--port=" + PORT, "--inner=" + innerB, "--seconds=90"));
        if (psk != null) {
            cmd.add("--psk=" + Base64.getEncoder().encodeToString(psk));
        }
        if (underLoad) {
            cmd.add("--under-load");
        }
        cmd.addAll(Arrays.asList(extra));
        Sh.Background peer = new Sh.Background("java-peer", cmd);
        processes.add(peer);
        assertNotNull(peer.await(l -> l.equals("READY"), 30_000), "Java peer did not start\n" + peer.transcript());
        return peer;
    }

    private Sh.Background startCapture() throws Exception {
        Path file = dir.resolve("wg.pcapng");
        Sh.Background t = new Sh.Background("tshark", "ip", "netns", "exec", nsB, "tshark", "-n", "-i", vethB,
                "-f", "udp port " + PORT, "-w", file.toString(), "-a", "duration:120");
        processes.add(t);
        assertNotNull(t.await(l -> l.contains("Capturing on"), 20_000), "tshark did not start\n" + t.transcript());
        return t;
    }

    /** Stops the capture and returns the WireGuard message types tshark decodes in it. */
    private Set<Integer> stopCapture(Sh.Background capture) throws Exception {
        Thread.sleep(300); // let the last replies reach the capture
        capture.close();
        Path file = dir.resolve("wg.pcapng");
        Sh.Result r = Sh.run(60, "tshark", "-n", "-r", file.toString(), "-d", "udp.port==" + PORT + ",wg",
                "-T", "fields", "-e", "frame.number", "-e", "wg.type");
        assertEquals(0, r.exit(), r.out());
        Set<Integer> types = new TreeSet<>();
        int frames = 0;
        for (String line : r.out().split("\n")) {
            String[] f = line.trim().split("\t");
            if (f.length == 0 || f[0].isEmpty() || !f[0].chars().allMatch(Character::isDigit)) {
                continue;
            }
            frames++;
            assertEquals(2, f.length, "frame not decoded as WireGuard: " + line + "\n" + r.out());
            types.add(Integer.parseInt(f[1].trim()));
        }
        assertTrue(frames > 0, "empty capture:\n" + r.out());
        return types;
    }

    /** Type-1 frames of the capture as (MAC1 receiver key, decrypted static key, decrypted timestamp). */
    private List<String[]> decodeInitiations(String responderPrivateKey) throws IOException {
        Path keylog = write("wg.keylog", "LOCAL_STATIC_PRIVATE_KEY = " + responderPrivateKey);
        Sh.Result r = Sh.run(60, "tshark", "-n", "-r", dir.resolve("wg.pcapng").toString(), "-d", "udp.port==" + PORT + ",wg",
                "-o", "wg.keylog_file:" + keylog, "-Y", "wg.type == 1", "-T", "fields", "-E", "separator=|",
                "-e", "wg.receiver_pubkey", "-e", "wg.static", "-e", "wg.timestamp.value");
        assertEquals(0, r.exit(), r.out());
        List<String[]> rows = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (line.contains("|")) {
                rows.add(line.trim().split("\\|", -1));
            }
        }
        return rows;
    }

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content + "\n");
        return p;
    }

    private static Path jvmOptions() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path f = d.resolve("scripts/jvm.options");
            if (Files.exists(f)) {
                return f;
            }
        }
        throw new IllegalStateException("scripts/jvm.options not found above " + Path.of("").toAbsolutePath());
    }
}
