package io.xdpmesh.control.handshake;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.session.IdentityPair;
import io.xdpmesh.control.tls.ConnectionContext;
import io.xdpmesh.control.tls.TlsSetup;
import io.xdpmesh.crypto.aead.PacketAead;
import io.xdpmesh.crypto.tls.SessionBinding;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * Full TLS 1.3 mTLS handshakes between two in-memory engines on one thread, through the agent's
 * own {@link TlsSetup} (key manager, SPIFFE trust manager, chain validator, ACCP) and the same
 * exporter and keypair construction as a real session, but without sockets or event-loop hops:
 * several times more handshakes per second of warm-up than over loopback, so the JIT reaches C2
 * for the handshake code before the first real pair arrives.
 */
public final class EngineWarmup {
    private static final int MAX_STEPS = 64;

    private EngineWarmup() {}

    /**
     * Handshakes until {@code rounds} or {@code endNanos}, or until their times stop falling
     * ({@link Plateau}); {@code setups} gives a fresh pair of TLS set-ups (initiator side, responder
     * side) now and then, so the leaf checks of new certificates run too. Returns the handshakes
     * completed (with keys exported on both sides).
     */
    public static int run(Supplier<TlsSetup[]> setups, SpiffeId[] initiators, SpiffeId[] responders, int rounds,
                          long endNanos, Function<byte[], ? extends PacketAead> aeads) throws SSLException {
        return run(setups, initiators, responders, rounds, endNanos, aeads, new Plateau());
    }

    /** As above, feeding each handshake's time to {@code plateau} (the caller can read where it ended). */
    public static int run(Supplier<TlsSetup[]> setups, SpiffeId[] initiators, SpiffeId[] responders, int rounds,
                          long endNanos, Function<byte[], ? extends PacketAead> aeads, Plateau plateau) throws SSLException {
        InetSocketAddress addr = new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 4250);
        ByteBuffer c2s = ByteBuffer.allocate(1 << 16);
        ByteBuffer s2c = ByteBuffer.allocate(1 << 16);
        ByteBuffer app = ByteBuffer.allocate(1 << 16);
        ByteBuffer empty = ByteBuffer.allocate(0);
        TlsSetup[] tls = null;
        int done = 0;
        while (done < rounds && System.nanoTime() < endNanos && !plateau.flat()) {
            long t0 = System.nanoTime();
            int pick = done % initiators.length;
            if (pick == 0) {
                tls = setups.get(); // new validators: the first handshake of each identity checks a new leaf
            }
            SSLEngine c = tls[0].initiator(addr, initiators[pick], responders[pick]);
            SSLEngine s = tls[1].responder(addr);
            ConnectionContext cc = ConnectionContext.of(c);
            ConnectionContext sc = ConnectionContext.of(s);
            try {
                c2s.clear();
                s2c.clear();
                c.beginHandshake();
                s.beginHandshake();
                for (int i = 0; i < MAX_STEPS && !(idle(c) && idle(s)); i++) {
                    step(c, s2c, c2s, app, empty);
                    step(s, c2s, s2c, app, empty);
                }
                if (!idle(c) || !idle(s) || cc.verifiedPeer() == null || sc.verifiedPeer() == null) {
                    throw new SSLException("warm-up handshake " + done + " did not complete");
                }
                SessionBinding b = new SessionBinding(initiators[pick].toString(), responders[pick].toString(), 7, 9, 1);
                IdentityPair pair = new IdentityPair(initiators[pick], responders[pick]);
                SessionFactory.build(c.getSession(), cc, b, true, pair, addr, aeads).keypair().close();
                SessionFactory.build(s.getSession(), sc, b, false, pair, addr, aeads).keypair().close();
            } finally {
                ConnectionContext.release(c);
                ConnectionContext.release(s);
            }
            done++;
            plateau.add(System.nanoTime() - t0);
        }
        return done;
    }

    private static boolean idle(SSLEngine e) {
        HandshakeStatus h = e.getHandshakeStatus();
        return h == HandshakeStatus.NOT_HANDSHAKING || h == HandshakeStatus.FINISHED;
    }

    /** One engine's turn: wrap what it wants to send into {@code out}, unwrap what is in {@code in}. */
    private static void step(SSLEngine e, ByteBuffer in, ByteBuffer out, ByteBuffer app, ByteBuffer empty)
            throws SSLException {
        for (int guard = 0; guard < MAX_STEPS; guard++) {
            HandshakeStatus h = e.getHandshakeStatus();
            switch (h) {
                case NEED_WRAP -> e.wrap(empty, out);
                case NEED_TASK -> {
                    for (Runnable t; (t = e.getDelegatedTask()) != null; ) {
                        t.run();
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    in.flip();
                    app.clear();
                    SSLEngineResult r = e.unwrap(in, app);
                    in.compact();
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
                            || (r.bytesConsumed() == 0 && r.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP)) {
                        return; // wait for the other side
                    }
                }
                default -> {
                    return;
                }
            }
        }
    }
}
