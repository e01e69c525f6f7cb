package io.xdpmesh.control.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.ca.DevCa;
import io.xdpmesh.control.ca.SvidLayout;
import io.xdpmesh.control.session.AuthRequest;
import io.xdpmesh.control.session.IdentityPair;
import io.xdpmesh.control.tls.SniNames;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The handshake port is plain TLS 1.3: OpenSSL (nobody here wrote it) on the other end. */
class OpensslInteropTest extends LoopbackPair {
    record Run(int exit, String out) {}

    static Run run(List<String> cmd, String stdin, long timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().close();
            }
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new AssertionError("timed out: " + cmd);
            }
            return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    static void await(BooleanSupplier cond, String what) throws InterruptedException {
        for (int i = 0; i < 200 && !cond.getAsBoolean(); i++) {
            Thread.sleep(50);
        }
        assertTrue(cond.getAsBoolean(), what);
    }

    TestNode bob() throws Exception {
        TestNode b = new TestNode("127.0.0.2", dir, placement);
        closeables.add(b);
        b.issue(ca, DevCa.IssueSpec.valid(B, Duration.ofHours(1)), "bob");
        return b.start(TestNode.config("127.0.0.2"));
    }

    @Test
    void sClientWithAValidSvidCompletesAndSeesTheAskedIdentity() throws Exception {
        TestNode b = bob();
        Path alice = dir.resolve("alice");
        ca.issue(DevCa.IssueSpec.valid(A, Duration.ofHours(1)), alice);
        InetSocketAddress at = b.service.address();
        Run r = run(List.of("openssl", "s_client", "-connect", "127.0.0.2:" + at.getPort(), "-tls1_3",
                "-cert", SvidLayout.svid(alice).toString(), "-key", SvidLayout.key(alice).toString(),
                "-cert_chain", ca.dir().resolve(DevCa.INTERMEDIATE).toString(),
                "-CAfile", ca.bundlePath().toString(), "-servername", SniNames.of(B), "-verify_return_error",
                "-showcerts"), "", 30);
        assertTrue(r.out().contains("TLSv1.3"), r.out());
        assertTrue(r.out().contains("Verify return code: 0 (ok)"), r.out());
        String leaf = r.out().substring(r.out().indexOf("-----BEGIN CERTIFICATE-----"),
                r.out().indexOf("-----END CERTIFICATE-----") + "-----END CERTIFICATE-----".length());
        Path leafFile = dir.resolve("peer-leaf.pem");
        Files.writeString(leafFile, leaf + "\n");
        Run san = run(List.of("openssl", "x509", "-in", leafFile.toString(), "-noout", "-ext", "subjectAltName"), null, 10);
        assertTrue(san.out().contains("URI:" + B), san.out());
        await(() -> b.service.counters().inboundTlsVerified() >= 1, "the agent verified openssl's client SVID");
    }

    @Test
    void sClientWithoutAClientCertificateIsRefused() throws Exception {
        TestNode b = bob();
        InetSocketAddress at = b.service.address();
        // -ign_eof: keep reading until the server's verdict (an alert) closes the connection.
        Run r = run(List.of("openssl", "s_client", "-connect", "127.0.0.2:" + at.getPort(), "-tls1_3",
                "-CAfile", ca.bundlePath().toString(), "-servername", SniNames.of(B), "-ign_eof"), "", 30);
        assertTrue(r.out().contains("alert certificate required") || r.out().contains("alert number 116"), r.out());
        await(() -> b.service.counters().refused(FailureReason.NOT_AN_SVID) >= 1, "refusal counted");
        assertEquals(0, b.service.counters().inboundTlsVerified());
    }

    @Test
    void anOpensslServerPresentingAnotherIdentityIsRefusedAsWrongSpiffeId() throws Exception {
        TestNode a = new TestNode("127.0.0.1", dir, placement);
        closeables.add(a);
        a.issue(ca, DevCa.IssueSpec.valid(A, Duration.ofHours(1)), "alice");
        a.start(TestNode.config("127.0.0.1"));
        String carol = "spiffe://" + TD + "/ns/b/sa/carol";
        Path carolDir = dir.resolve("carol");
        Instant now = Instant.now();
        ca.issue(new DevCa.IssueSpec(carol, now.minusSeconds(60), now.plusSeconds(3600), false, false), carolDir);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.2"))) {
            port = s.getLocalPort();
        }
        Process server = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.2:" + port, "-tls1_3",
                "-cert", SvidLayout.svid(carolDir).toString(), "-key", SvidLayout.key(carolDir).toString(),
                "-CAfile", ca.bundlePath().toString(), "-Verify", "2", "-quiet")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            await(() -> {
                try (Socket probe = new Socket("127.0.0.2", port)) {
                    return true;
                } catch (IOException e) {
                    return false;
                }
            }, "openssl s_server listening");
            AuthRequest req = new AuthRequest(new IdentityPair(SpiffeId.parse(A), SpiffeId.parse(B)),
                    new InetSocketAddress("127.0.0.2", port));
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> a.service.authenticate(req).get(30, TimeUnit.SECONDS));
            assertEquals(FailureReason.WRONG_SPIFFE_ID, assertInstanceOf(HandshakeException.class, e.getCause()).reason());
            assertEquals(1, a.service.counters().failed(FailureReason.WRONG_SPIFFE_ID));
        } finally {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
