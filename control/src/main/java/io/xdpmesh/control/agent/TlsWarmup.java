package io.xdpmesh.control.agent;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.ca.DevCa;
import io.xdpmesh.control.handshake.HandshakeConfig;
import io.xdpmesh.control.handshake.HandshakeCounters;
import io.xdpmesh.control.handshake.HandshakeService;
import io.xdpmesh.control.identity.IdentityStore;
import io.xdpmesh.control.identity.SvidFiles;
import io.xdpmesh.control.session.AuthRequest;
import io.xdpmesh.control.session.IdentityPair;
import io.xdpmesh.control.session.ReservingIndexAllocator;
import io.xdpmesh.control.session.SessionSink;
import io.xdpmesh.crypto.transport.ReceiverIndexTable;
import io.xdpmesh.dataplane.session.Aeads;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;

/**
 * Runs throw-away handshakes between two private handshake services on loopback at start-up, so
 * the first real pair does not pay for class loading, provider set-up and the interpreter: a
 * cold JVM takes over a second for its first TLS 1.3 handshake, a warm one milliseconds, and the
 * first packet of every new pair waits for that handshake. The CA and SVIDs are made for this
 * in a temporary directory and deleted; nothing touches the real identities or the dataplane.
 */
final class TlsWarmup {
    private static final System.Logger LOG = System.getLogger(TlsWarmup.class.getName());

    private TlsWarmup() {}

    /** Up to {@code rounds} handshakes or {@code budget}, whichever ends first; returns how many ran. */
    static int run(int rounds, Duration budget) {
        long end = System.nanoTime() + budget.toNanos();
        Path dir = null;
        int done = 0;
        try {
            dir = Files.createTempDirectory("xdpmesh-warmup");
            String td = "warmup.xdpmesh.invalid";
            String a = "spiffe://" + td + "/ns/warmup/sa/a";
            String b = "spiffe://" + td + "/ns/warmup/sa/b";
            InetAddress lo = InetAddress.getLoopbackAddress();
            DevCa ca = DevCa.init(dir.resolve("ca"), td, Duration.ofHours(1), true);
            ca.issue(DevCa.IssueSpec.valid(a, Duration.ofHours(1)), dir.resolve("a/a"));
            ca.issue(DevCa.IssueSpec.valid(b, Duration.ofHours(1)), dir.resolve("b/b"));
            IdentityStore storeA = new IdentityStore();
            IdentityStore storeB = new IdentityStore();
            for (String n : new String[] {"a", "b"}) {
                SvidFiles.Loaded l = SvidFiles.load(dir.resolve(n).resolve(n));
                IdentityStore s = n.equals("a") ? storeA : storeB;
                s.putBundle(l.bundle());
                s.put(l.svid());
            }
            try (HandshakeService sa = service(lo, storeA); HandshakeService sb = service(lo, storeB)) {
                AuthRequest req = new AuthRequest(new IdentityPair(SpiffeId.parse(a), SpiffeId.parse(b)), sb.address());
                while (done < rounds && System.nanoTime() < end) {
                    // mostly full handshakes, some rekeys, as a live agent does
                    (done % 4 == 3 ? sa.rekey(req) : sa.reauthenticate(req)).get(5, TimeUnit.SECONDS);
                    done++;
                }
            }
        } catch (Exception e) {
            LOG.log(Level.WARNING, "TLS warm-up stopped after " + done + " handshakes: " + e);
        } finally {
            if (dir != null) {
                try (var walk = Files.walk(dir)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (Exception e) {
                    LOG.log(Level.DEBUG, "warm-up files: " + e);
                }
            }
        }
        return done;
    }

    private static HandshakeService service(InetAddress lo, IdentityStore store) throws InterruptedException {
        return new HandshakeService(HandshakeConfig.defaults(lo, 0), store, (id, node) -> node.equals(lo), null,
                new ReservingIndexAllocator(new ReceiverIndexTable(1024)), SessionSink.DISCARD, new HandshakeCounters(),
                Aeads::create);
    }
}
