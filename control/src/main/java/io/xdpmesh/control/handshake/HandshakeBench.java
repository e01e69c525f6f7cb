package io.xdpmesh.control.handshake;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.ca.DevCa;
import io.xdpmesh.control.identity.FileSvidSource;
import io.xdpmesh.control.identity.IdentityStore;
import io.xdpmesh.control.session.AuthRequest;
import io.xdpmesh.control.session.IdentityPair;
import io.xdpmesh.control.session.ReservingIndexAllocator;
import io.xdpmesh.control.session.SessionSink;
import io.xdpmesh.control.tls.CryptoProviders;
import io.xdpmesh.control.tls.NodeBinding;
import io.xdpmesh.crypto.aead.JdkPacketAead;
import io.xdpmesh.crypto.transport.ReceiverIndexTable;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Measures one identity-pair authentication between two handshake services on loopback in this
 * JVM (node A 127.0.0.1, node B 127.0.0.2): full TLS 1.3 mTLS handshake, path validation, the
 * HELLO/ACCEPT exchange and the exporter on both sides, sequentially, after a warm-up. Run it
 * with {@code -Dxdpmesh.accp=false} to compare the JDK providers with ACCP.
 *
 * <p>Usage: {@code HandshakeBench [pairs] [warmup] [spare|nospare]}. Prints one line:
 * {@code handshake+exporter: p50=<ms>ms p99=<ms>ms n=<pairs> providers=<...> spares=<used>}.
 */
public final class HandshakeBench {
    private HandshakeBench() {}

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        boolean spares = args.length <= 2 || !args[2].equals("nospare");
        CryptoProviders.Status providers = CryptoProviders.install();
        Path dir = Files.createTempDirectory("xdpmesh-bench");
        String td = "bench.xdpmesh";
        String a = "spiffe://" + td + "/ns/a/sa/a";
        String b = "spiffe://" + td + "/ns/b/sa/b";
        InetAddress hostA = InetAddress.getByName("127.0.0.1");
        InetAddress hostB = InetAddress.getByName("127.0.0.2");
        Map<SpiffeId, InetAddress> placement = Map.of(SpiffeId.parse(a), hostA, SpiffeId.parse(b), hostB);
        NodeBinding binding = (id, node) -> node.equals(placement.get(id));
        DevCa ca = DevCa.init(dir.resolve("ca"), td, Duration.ofDays(1), true);
        ca.issue(DevCa.IssueSpec.valid(a, Duration.ofHours(1)), dir.resolve("a/a"));
        ca.issue(DevCa.IssueSpec.valid(b, Duration.ofHours(1)), dir.resolve("b/b"));
        IdentityStore storeA = new IdentityStore();
        IdentityStore storeB = new IdentityStore();
        try (FileSvidSource srcA = new FileSvidSource(dir.resolve("a"), storeA);
             FileSvidSource srcB = new FileSvidSource(dir.resolve("b"), storeB)) {
            srcA.start();
            srcB.start();
            HandshakeConfig cfgA = HandshakeConfig.defaults(hostA, 0).withSpareConnections(spares);
            HandshakeConfig cfgB = HandshakeConfig.defaults(hostB, 0).withSpareConnections(spares);
            try (HandshakeService sa = new HandshakeService(cfgA, storeA, binding, null,
                         new ReservingIndexAllocator(new ReceiverIndexTable(1024)), SessionSink.DISCARD,
                         new HandshakeCounters(), JdkPacketAead::new);
                 HandshakeService sb = new HandshakeService(cfgB, storeB, binding, null,
                         new ReservingIndexAllocator(new ReceiverIndexTable(1024)), SessionSink.DISCARD,
                         new HandshakeCounters(), JdkPacketAead::new)) {
                AuthRequest req = new AuthRequest(new IdentityPair(SpiffeId.parse(a), SpiffeId.parse(b)), sb.address());
                long[] t = new long[pairs];
                for (int i = 0; i < warmup + pairs; i++) {
                    long t0 = System.nanoTime();
                    sa.reauthenticate(req).get(10, TimeUnit.SECONDS);
                    long dt = System.nanoTime() - t0;
                    if (i >= warmup) {
                        t[i - warmup] = dt;
                    }
                }
                Arrays.sort(t);
                System.out.printf("handshake+exporter: p50=%.3fms p99=%.3fms n=%d providers=%s spares=%d%n",
                        t[pairs / 2] / 1e6, t[(int) (pairs * 0.99)] / 1e6, pairs,
                        providers.accp() ? "ACCP" : "JDK", sa.sparesUsed());
                System.out.println("providers: " + providers);
                System.out.println("path validation: full=" + sa.tls().chains().fullValidations() + " leaf-checks="
                        + sa.tls().chains().leafChecks() + " leaf-hits=" + sa.tls().chains().leafHits());
            }
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
