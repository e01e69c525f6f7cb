package io.xdpmesh.control.handshake;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.ca.DevCa;
import io.xdpmesh.control.identity.FileSvidSource;
import io.xdpmesh.control.identity.IdentityStore;
import io.xdpmesh.control.session.AuthRequest;
import io.xdpmesh.control.session.EstablishedSession;
import io.xdpmesh.control.session.IdentityPair;
import io.xdpmesh.control.session.ReservingIndexAllocator;
import io.xdpmesh.control.session.SessionSink;
import io.xdpmesh.control.tls.NodeBinding;
import io.xdpmesh.crypto.aead.JdkPacketAead;
import io.xdpmesh.crypto.transport.ReceiverIndexTable;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

/** One node agent for loopback tests: SVID files under its own directory, a real handshake service. */
final class TestNode implements AutoCloseable {
    record Failure(AuthRequest request, FailureReason reason, String detail) {}

    final String address;
    final Path svids;
    final IdentityStore store = new IdentityStore();
    final FileSvidSource source;
    final LinkedBlockingQueue<EstablishedSession> installed = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<Failure> failures = new LinkedBlockingQueue<>();
    /** identity -> node address, as the endpoint table would say; tests edit it. */
    final Map<SpiffeId, InetAddress> placement;
    HandshakeService service;
    /** Handshakes in progress on this node (what the dataplane would read). */
    final io.xdpmesh.dataplane.session.HandshakeActivity activity = new io.xdpmesh.dataplane.session.HandshakeActivity();

    TestNode(String address, Path dir, Map<SpiffeId, InetAddress> placement) throws Exception {
        this.address = address;
        this.svids = Files.createDirectories(dir.resolve("svids-" + address));
        this.source = new FileSvidSource(svids, store, 200);
        this.placement = placement;
    }

    TestNode issue(DevCa ca, DevCa.IssueSpec spec, String dirName) throws Exception {
        ca.issue(spec, svids.resolve(dirName));
        return this;
    }

    TestNode start(HandshakeConfig config) throws Exception {
        source.start();
        NodeBinding binding = (id, node) -> node.equals(placement.get(id));
        SessionSink sink = new SessionSink() {
            @Override
            public void install(EstablishedSession s) {
                installed.add(s);
            }

            @Override
            public void failed(AuthRequest r, FailureReason reason, String detail) {
                failures.add(new Failure(r, reason, detail));
            }
        };
        service = new HandshakeService(config, store, binding, null,
                new ReservingIndexAllocator(new ReceiverIndexTable(1 << 16)), sink, new HandshakeCounters(),
                JdkPacketAead::new, null, activity);
        return this;
    }

    static HandshakeConfig config(String address) throws Exception {
        return HandshakeConfig.defaults(InetAddress.getByName(address), 0)
                .withTimeouts(Duration.ofSeconds(5), 3, Duration.ofMillis(20));
    }

    AuthRequest request(String local, String remote, TestNode peer) {
        return new AuthRequest(new IdentityPair(SpiffeId.parse(local), SpiffeId.parse(remote)), peer.service.address());
    }

    static Map<SpiffeId, InetAddress> placements() {
        return new ConcurrentHashMap<>();
    }

    @Override
    public void close() {
        if (service != null) {
            service.close();
        }
        source.close();
    }

    /** Waits until no handshake is counted as running here (bounded), and returns the count. */
    int activityAfterSettling() throws InterruptedException {
        for (int i = 0; i < 100 && activity.active() != 0; i++) {
            Thread.sleep(20);
        }
        return activity.active();
    }
}
