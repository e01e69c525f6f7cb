package io.xdpmesh.control.agent;

import io.netty.channel.EventLoopGroup;
import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.ca.DevCa;
import io.xdpmesh.control.handshake.HandshakeConfig;
import io.xdpmesh.control.handshake.EngineWarmup;
import io.xdpmesh.control.handshake.HandshakeCounters;
import io.xdpmesh.control.handshake.HandshakeService;
import io.xdpmesh.control.handshake.Plateau;
import io.xdpmesh.control.identity.IdentityStore;
import io.xdpmesh.control.identity.SvidFiles;
import io.xdpmesh.control.session.AuthRequest;
import io.xdpmesh.control.session.IdentityPair;
import io.xdpmesh.control.session.ReservingIndexAllocator;
import io.xdpmesh.control.session.SessionSink;
import io.xdpmesh.control.tls.NodeBinding;
import io.xdpmesh.control.tls.TlsSetup;
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

    /** Identities per side: each new one means a new leaf for the chain validator to check. */
    private static final int IDENTITIES = 4;
    /** Fresh leaves through the parser and the verifier ({@link LeafWarmup}): enough for C1 everywhere, C2 in the DER loops. */
    private static final int LEAVES = 300;

    /**
     * Up to {@code rounds} handshakes or {@code budget}, whichever ends first, and each phase stops
     * early once its handshake times have stopped falling and the JIT has gone quiet
     * ({@link Plateau#untilJitQuiet}: on a 2-core machine C2 was still speeding SunJSSE up after
     * 3 s, and the first real pairs paid for it); returns how
     * many ran. Up to three quarters of the budget go to in-memory engine pairs (many handshakes
     * per second on the agent's TLS set-up and exporter), the rest to real handshake services over
     * loopback (Netty, the index exchange, the scheduler), which the first pairs take too, on
     * {@code loops}: the event loops the agent's own service will run on.
     */
    static int run(int rounds, Duration budget, EventLoopGroup loops) {
        long start = System.nanoTime();
        long end = start + budget.toNanos();
        long engineEnd = start + budget.toNanos() * 3 / 4;
        Path dir = null;
        int done = 0;
        try {
            dir = Files.createTempDirectory("xdpmesh-warmup");
            String td = "warmup.xdpmesh.invalid";
            InetAddress lo = InetAddress.getLoopbackAddress();
            DevCa ca = DevCa.init(dir.resolve("ca"), td, Duration.ofHours(1), true);
            IdentityStore storeA = new IdentityStore();
            IdentityStore storeB = new IdentityStore();
            SpiffeId[] as = new SpiffeId[IDENTITIES];
            SpiffeId[] bs = new SpiffeId[IDENTITIES];
            for (int i = 0; i < IDENTITIES; i++) {
                as[i] = SpiffeId.parse("spiffe://" + td + "/ns/warmup/sa/a" + i);
                bs[i] = SpiffeId.parse("spiffe://" + td + "/ns/warmup/sa/b" + i);
                load(ca, dir, as[i], storeA);
                load(ca, dir, bs[i], storeB);
            }
            NodeBinding loopback = (id, node) -> node.equals(lo);
            long l0 = System.nanoTime();
            int leaves = LeafWarmup.run(ca, storeA, as[0], Math.min(LEAVES, rounds), start + budget.toNanos() / 5);
            long leafMs = (System.nanoTime() - l0) / 1_000_000;
            Plateau inMemory = Plateau.untilJitQuiet();
            done += EngineWarmup.run(() -> new TlsSetup[] {new TlsSetup(storeA, loopback, null), new TlsSetup(storeB, loopback, null)},
                    as, bs, rounds, engineEnd, Aeads.FACTORY, inMemory);
            int engine = done;
            Plateau overLoopback = Plateau.untilJitQuiet();
            try (HandshakeService sa = service(lo, storeA, loops); HandshakeService sb = service(lo, storeB, loops)) {
                AuthRequest req = new AuthRequest(new IdentityPair(as[0], bs[0]), sb.address());
                while (done < rounds + engine && System.nanoTime() < end && !overLoopback.flat()) {
                    long t0 = System.nanoTime();
                    // mostly full handshakes, some rekeys, as a live agent does
                    (done % 4 == 3 ? sa.rekey(req) : sa.reauthenticate(req)).get(5, TimeUnit.SECONDS);
                    done++;
                    overLoopback.add(System.nanoTime() - t0);
                }
            }
            LOG.log(Level.INFO, "TLS warm-up: " + leaves + " fresh leaves parsed and verified in " + leafMs + " ms, "
                    + engine + " in-memory handshakes (" + describe(inMemory) + ") and "
                    + (done - engine) + " over loopback (" + describe(overLoopback) + ") in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
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

    private static String describe(Plateau p) {
        return p.blocks() == 0 ? "too few to judge"
                : String.format("best median %.2f ms, %s, JIT %.0f%% of the last block", p.bestMedian() / 1e6,
                        p.flat() ? "flat" : "not flat", 100 * p.lastJitShare());
    }

    private static void load(DevCa ca, Path dir, SpiffeId id, IdentityStore store) throws Exception {
        Path p = dir.resolve("svids").resolve(Integer.toHexString(id.toString().hashCode()));
        ca.issue(DevCa.IssueSpec.valid(id.toString(), Duration.ofHours(1)), p);
        SvidFiles.Loaded l = SvidFiles.load(p);
        store.putBundle(l.bundle());
        store.put(l.svid());
    }

    private static HandshakeService service(InetAddress lo, IdentityStore store, EventLoopGroup loops) throws InterruptedException {
        return new HandshakeService(HandshakeConfig.defaults(lo, 0), store, (id, node) -> node.equals(lo), null,
                new ReservingIndexAllocator(new ReceiverIndexTable(1024)), SessionSink.DISCARD, new HandshakeCounters(),
                Aeads.FACTORY, loops, new io.xdpmesh.dataplane.session.HandshakeActivity());
    }
}
