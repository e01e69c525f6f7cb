package io.xdpmesh.control.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.ca.DevCa;
import io.xdpmesh.control.session.AuthRequest;
import io.xdpmesh.control.session.EstablishedSession;
import io.xdpmesh.crypto.transport.Keypair;
import io.xdpmesh.crypto.transport.TransportData;
import io.xdpmesh.crypto.transport.TransportOpener;
import io.xdpmesh.crypto.transport.TransportSealer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two real handshake services on loopback (node A on 127.0.0.1, node B on 127.0.0.2), real TLS
 * 1.3, SVIDs from the dev CA read through the file source.
 */
class HandshakeLoopbackTest extends LoopbackPair {
    TestNode node(String addr, String id, DevCa.IssueSpec spec) throws Exception {
        return node(addr, id, spec, ca);
    }

    TestNode node(String addr, String id, DevCa.IssueSpec spec, DevCa issuer) throws Exception {
        TestNode n = new TestNode(addr, dir, placement);
        closeables.add(n);
        n.issue(issuer, spec, "w0");
        return n.start(TestNode.config(addr));
    }

    static DevCa.IssueSpec valid(String id) {
        return DevCa.IssueSpec.valid(id, Duration.ofHours(1));
    }

    @Test
    void goodPairEstablishesMirroredKeysOnBothSides() throws Exception {
        TestNode a = node("127.0.0.1", A, valid(A));
        TestNode b = node("127.0.0.2", B, valid(B));
        AuthRequest req = a.request(A, B, b);
        EstablishedSession sa = a.service.authenticate(req).get(20, TimeUnit.SECONDS);
        EstablishedSession sb = b.installed.poll(10, TimeUnit.SECONDS);
        assertNotNull(sb, "responder installed its session");
        assertSame(sa, a.installed.poll(1, TimeUnit.SECONDS), "initiator's session went to its sink");
        assertTrue(sa.initiator());
        assertEquals(SpiffeId.parse(B), sb.pair().local());
        assertEquals(SpiffeId.parse(A), sb.pair().remote());
        assertEquals(sa.keypair().localIndex(), sb.keypair().remoteIndex());
        assertEquals(sa.keypair().remoteIndex(), sb.keypair().localIndex());
        assertTrue(sa.expiresAt().isBefore(Instant.now().plusSeconds(181)), "capped by REJECT_AFTER_TIME");
        assertTrue(sa.expiresAt().isAfter(Instant.now().plusSeconds(170)));
        roundTrip(sa.keypair(), sb.keypair(), "from alice to bob");
        roundTrip(sb.keypair(), sa.keypair(), "from bob to alice");

        // A rekey reuses the connection: epoch 2, fresh indexes, still mirrored.
        EstablishedSession ra = a.service.rekey(req).get(20, TimeUnit.SECONDS);
        EstablishedSession rb = b.installed.poll(10, TimeUnit.SECONDS);
        assertEquals(2, ra.epoch());
        assertEquals(2, rb.epoch());
        assertNotEquals(sa.keypair().localIndex(), ra.keypair().localIndex());
        roundTrip(ra.keypair(), rb.keypair(), "after the rekey");
        assertEquals(1, a.service.counters().rekeys());
        assertEquals(2, b.service.counters().responded());
        assertEquals(0, a.activityAfterSettling(), "the initiator's handshakes ended");
        assertEquals(0, b.activityAfterSettling(), "the responder's handshakes ended at their ACCEPT");
    }

    static void roundTrip(Keypair sender, Keypair receiver, String text) {
        MemorySegment seg = MemorySegment.ofArray(new byte[2048]);
        // A minimal IPv4 header so the opener can read the inner length.
        byte[] payload = text.getBytes();
        int inner = 20 + payload.length;
        long p = TransportData.PAYLOAD_OFFSET;
        seg.set(ValueLayout.JAVA_BYTE, p, (byte) 0x45);
        seg.set(ValueLayout.JAVA_BYTE, p + 2, (byte) (inner >>> 8));
        seg.set(ValueLayout.JAVA_BYTE, p + 3, (byte) inner);
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, seg, p + 20, payload.length);
        long now = System.nanoTime();
        int len = new TransportSealer().seal(sender, seg, 0, inner, 1420, now);
        assertTrue(len > 0, "sealed");
        assertEquals(receiver.localIndex(), TransportData.receiverIndex(seg, 0));
        int got = new TransportOpener().open(receiver, seg, 0, len, now);
        assertEquals(inner, got, "opened on the other side");
        byte[] back = seg.asSlice(p + 20, payload.length).toArray(ValueLayout.JAVA_BYTE);
        assertEquals(text, new String(back));
    }

    FailureReason failureOf(TestNode a, AuthRequest req) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> a.service.authenticate(req).get(30, TimeUnit.SECONDS));
        HandshakeException h = assertInstanceOf(HandshakeException.class, e.getCause());
        TestNode.Failure f = a.failures.poll(5, TimeUnit.SECONDS);
        assertNotNull(f, "the sink heard of the failure");
        assertEquals(h.reason(), f.reason());
        assertEquals(h.reason(), FailureReason.values()[h.reason().ordinal()]);
        assertEquals(1, a.service.counters().failed(h.reason()));
        assertTrue(a.installed.isEmpty(), "no session on failure");
        assertEquals(0, a.activityAfterSettling(), "a failed handshake is no longer counted as running");
        return h.reason();
    }

    @Test
    void responderInAnotherTrustDomainIsRefused() throws Exception {
        String foreign = "spiffe://other.test/ns/b/sa/bob";
        TestNode a = node("127.0.0.1", A, valid(A));
        TestNode b = node("127.0.0.2", foreign, new DevCa.IssueSpec(foreign, Instant.now().minusSeconds(60),
                Instant.now().plusSeconds(3600), true, true));
        assertEquals(FailureReason.WRONG_TRUST_DOMAIN, failureOf(a, a.request(A, foreign, b)));
    }

    @Test
    void expiredResponderIsRefused() throws Exception {
        TestNode a = node("127.0.0.1", A, valid(A));
        TestNode b = node("127.0.0.2", B, new DevCa.IssueSpec(B, Instant.now().minusSeconds(7200),
                Instant.now().minusSeconds(3600), true, false));
        assertEquals(FailureReason.EXPIRED, failureOf(a, a.request(A, B, b)));
    }

    @Test
    void expiredInitiatorIsRefusedByTheResponder() throws Exception {
        TestNode a = node("127.0.0.1", A, new DevCa.IssueSpec(A, Instant.now().minusSeconds(7200),
                Instant.now().minusSeconds(3600), true, false));
        TestNode b = node("127.0.0.2", B, valid(B));
        assertEquals(FailureReason.PEER_REFUSED, failureOf(a, a.request(A, B, b)));
        assertTrue(b.service.counters().refused(FailureReason.EXPIRED) >= 1, "responder counted expired");
        assertTrue(b.installed.isEmpty());
    }

    @Test
    void responderFromAnUntrustedCaIsRefused() throws Exception {
        DevCa rogue = DevCa.init(dir.resolve("rogue-ca"), TD, Duration.ofDays(1), true);
        TestNode a = node("127.0.0.1", A, valid(A));
        TestNode b = node("127.0.0.2", B, valid(B), rogue);
        // b trusts the rogue root only; a trusts the real one.
        assertEquals(FailureReason.UNTRUSTED_CHAIN, failureOf(a, a.request(A, B, b)));
    }

    @Test
    void responderOnTheWrongNodeIsRefused() throws Exception {
        TestNode a = node("127.0.0.1", A, valid(A));
        TestNode b = node("127.0.0.2", B, valid(B));
        placement.put(SpiffeId.parse(B), InetAddress.getByName("127.0.0.3"));
        assertEquals(FailureReason.NODE_BINDING, failureOf(a, a.request(A, B, b)));
    }

    @Test
    void initiatorOnTheWrongNodeIsRefusedByTheResponder() throws Exception {
        TestNode a = node("127.0.0.1", A, valid(A));
        TestNode b = node("127.0.0.2", B, valid(B));
        placement.put(SpiffeId.parse(A), InetAddress.getByName("127.0.0.9"));
        assertEquals(FailureReason.PEER_REFUSED, failureOf(a, a.request(A, B, b)));
        assertTrue(b.service.counters().refused(FailureReason.NODE_BINDING) >= 1);
    }

    @Test
    void askingForAnIdentityTheResponderDoesNotHoldFails() throws Exception {
        TestNode a = node("127.0.0.1", A, valid(A));
        TestNode b = node("127.0.0.2", B, valid(B));
        String other = "spiffe://" + TD + "/ns/b/sa/carol";
        placement.put(SpiffeId.parse(other), InetAddress.getByName("127.0.0.2"));
        FailureReason r = failureOf(a, a.request(A, other, b));
        assertEquals(FailureReason.PEER_REFUSED, r);
    }

    @Test
    void concurrentRequestsForOnePairShareOneHandshake() throws Exception {
        TestNode a = node("127.0.0.1", A, valid(A));
        TestNode b = node("127.0.0.2", B, valid(B));
        AuthRequest req = a.request(A, B, b);
        List<CompletableFuture<EstablishedSession>> fs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            fs.add(a.service.authenticate(req));
        }
        EstablishedSession first = fs.getFirst().get(20, TimeUnit.SECONDS);
        for (var f : fs) {
            assertSame(first, f.get(20, TimeUnit.SECONDS));
        }
        assertEquals(1, a.service.counters().attempts());
        assertEquals(19, a.service.counters().deduplicated());
        assertNotNull(b.installed.poll(10, TimeUnit.SECONDS));
        assertEquals(1, b.service.counters().responded());
    }

    @Test
    void silentPeerTimesOutWithItsReason() throws Exception {
        TestNode a = new TestNode("127.0.0.1", dir, placement);
        closeables.add(a);
        a.issue(ca, valid(A), "w0");
        a.start(TestNode.config("127.0.0.1").withTimeouts(Duration.ofMillis(300), 2, Duration.ofMillis(10)));
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.2"))) {
            List<Socket> accepted = new ArrayList<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // accept and never answer
                    }
                } catch (Exception ignored) {
                    // closed
                }
            });
            AuthRequest req = new AuthRequest(new io.xdpmesh.control.session.IdentityPair(SpiffeId.parse(A), SpiffeId.parse(B)),
                    (java.net.InetSocketAddress) silent.getLocalSocketAddress());
            var pending = a.service.authenticate(req);
            boolean counted = false;
            for (int i = 0; i < 5000 && !counted && !pending.isDone(); i++) { // two 300 ms attempts: ample
                counted = a.activity.active() == 1;
                Thread.sleep(1);
            }
            assertTrue(counted, "an attempt waiting for its peer is counted as running");
            ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(30, TimeUnit.SECONDS));
            assertEquals(FailureReason.TIMEOUT, assertInstanceOf(HandshakeException.class, e.getCause()).reason());
            assertNotNull(a.failures.poll(5, TimeUnit.SECONDS), "the sink heard of the failure");
            assertEquals(1, a.service.counters().failed(FailureReason.TIMEOUT));
            assertEquals(0, a.activityAfterSettling(), "and no longer once it failed");
            assertEquals(2, a.service.counters().attempts(), "one retry, then give up");
            assertEquals(1, a.service.counters().retries());
            silent.close();
            t.join(5000);
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void concurrencyIsBounded() throws Exception {
        TestNode a = new TestNode("127.0.0.1", dir, placement);
        closeables.add(a);
        int pairs = 10;
        for (int i = 0; i < pairs; i++) {
            String id = "spiffe://" + TD + "/ns/a/sa/w" + i;
            placement.put(SpiffeId.parse(id), InetAddress.getByName("127.0.0.1"));
            a.issue(ca, valid(id), "w" + i);
        }
        a.start(TestNode.config("127.0.0.1").withLimits(2, 100, 1000, 100));
        TestNode b = node("127.0.0.2", B, valid(B));
        List<CompletableFuture<EstablishedSession>> fs = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            fs.add(a.service.authenticate(a.request("spiffe://" + TD + "/ns/a/sa/w" + i, B, b)));
        }
        for (var f : fs) {
            f.get(60, TimeUnit.SECONDS);
        }
        assertEquals(2, a.service.maxConcurrentSeen(), "never more than the bound, and the bound was used");
        assertEquals(pairs, b.service.counters().responded());
    }

    @Test
    void queueBeyondItsBoundIsRefusedAsOverloaded() throws Exception {
        TestNode a = new TestNode("127.0.0.1", dir, placement);
        closeables.add(a);
        a.issue(ca, valid(A), "w0");
        // One slot, one waiting place, and a rate of 1/s with burst 1: the third distinct pair overflows.
        a.start(TestNode.config("127.0.0.1").withLimits(1, 1, 1, 1));
        TestNode b = node("127.0.0.2", B, valid(B));
        List<CompletableFuture<EstablishedSession>> fs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String remote = "spiffe://" + TD + "/ns/b/sa/r" + i;
            placement.put(SpiffeId.parse(remote), InetAddress.getByName("127.0.0.2"));
            fs.add(a.service.authenticate(a.request(A, remote, b)));
        }
        ExecutionException e = assertThrows(ExecutionException.class, () -> fs.get(2).get(30, TimeUnit.SECONDS));
        assertEquals(FailureReason.OVERLOADED, ((HandshakeException) e.getCause()).reason());
        for (var f : fs) {
            f.handle((s, t) -> null).get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void rotatedSvidReauthenticatesThePair() throws Exception {
        TestNode a = node("127.0.0.1", A, valid(A));
        TestNode b = node("127.0.0.2", B, valid(B));
        AuthRequest req = a.request(A, B, b);
        EstablishedSession first = a.service.authenticate(req).get(20, TimeUnit.SECONDS);
        assertNotNull(b.installed.poll(10, TimeUnit.SECONDS));
        assertSame(first, a.installed.poll(1, TimeUnit.SECONDS));
        // Rotate alice's SVID on disk (as spiffe-helper would): the watcher reloads, the pair re-auths.
        a.issue(ca, DevCa.IssueSpec.valid(A, Duration.ofMinutes(30)), "w0");
        EstablishedSession second = a.installed.poll(20, TimeUnit.SECONDS);
        assertNotNull(second, "re-authenticated after rotation");
        assertEquals(1, second.epoch(), "a new TLS handshake, not a rekey");
        EstablishedSession peer = b.installed.poll(10, TimeUnit.SECONDS);
        assertNotNull(peer);
        roundTrip(second.keypair(), peer.keypair(), "after rotation");
        assertEquals(1, a.source.rotations());
    }

    @Test
    void laterPairsUseTheSpareConnection() throws Exception {
        TestNode a = new TestNode("127.0.0.1", dir, placement);
        closeables.add(a);
        for (int i = 0; i < 3; i++) {
            String id = "spiffe://" + TD + "/ns/a/sa/s" + i;
            placement.put(SpiffeId.parse(id), InetAddress.getByName("127.0.0.1"));
            a.issue(ca, valid(id), "s" + i);
        }
        a.start(TestNode.config("127.0.0.1"));
        TestNode b = node("127.0.0.2", B, valid(B));
        for (int i = 0; i < 3; i++) {
            a.service.authenticate(a.request("spiffe://" + TD + "/ns/a/sa/s" + i, B, b)).get(20, TimeUnit.SECONDS);
        }
        // The first pair connected itself and opened a spare behind it; the later ones found one
        // (unless the spare's connect had not finished yet, which a loopback connect does at once).
        assertTrue(a.service.sparesUsed() >= 1, "spares used: " + a.service.sparesUsed());
        assertEquals(3, a.service.openPairConnections(), "each pair keeps its connection for rekeys");
    }

    @Test
    void aPreparedPeerGivesEvenTheFirstPairASpare() throws Exception {
        TestNode a = node("127.0.0.1", A, valid(A));
        TestNode b = node("127.0.0.2", B, valid(B));
        a.service.prepare(b.service.address());
        for (int i = 0; i < 500 && !a.service.spareReady(b.service.address()); i++) {
            Thread.sleep(10);
        }
        assertTrue(a.service.spareReady(b.service.address()), "the spare connected");
        a.service.prepare(b.service.address()); // a live spare is kept, not replaced
        a.service.authenticate(a.request(A, B, b)).get(20, TimeUnit.SECONDS);
        assertEquals(1, a.service.sparesUsed(), "the first pair took the prepared spare");
    }
}
