package io.xdpmesh.control.handshake;

import static io.xdpmesh.crypto.transport.WireGuardConstants.REJECT_AFTER_TIME;

import io.xdpmesh.control.session.EstablishedSession;
import io.xdpmesh.control.session.IdentityPair;
import io.xdpmesh.control.tls.ConnectionContext;
import io.xdpmesh.crypto.aead.PacketAead;
import io.xdpmesh.crypto.tls.DirectionalKeys;
import io.xdpmesh.crypto.tls.ExporterKeySchedule;
import io.xdpmesh.crypto.tls.SessionBinding;
import io.xdpmesh.crypto.transport.Keypair;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/** Keys from the TLS exporter (crypto/'s schedule) and the session object for the sink. */
final class SessionFactory {
    private SessionFactory() {}

    static EstablishedSession build(SSLSession tls, ConnectionContext ctx, SessionBinding binding, boolean initiator,
                                    IdentityPair pair, InetSocketAddress peerAgent,
                                    Function<byte[], ? extends PacketAead> aeads) throws SSLException {
        Keypair kp;
        try (DirectionalKeys keys = ExporterKeySchedule.export(tls, binding)) {
            kp = ExporterKeySchedule.keypair(keys, binding, initiator, aeads, System.nanoTime(), Lanes.get());
        }
        long now = System.currentTimeMillis();
        long localNotAfter = ctx.localSvid().getLeaf().getNotAfter().getTime();
        long peerNotAfter = ctx.peerNotAfterMillis();
        long cap = now + TimeUnit.NANOSECONDS.toMillis(REJECT_AFTER_TIME);
        long expires = Math.min(cap, Math.min(localNotAfter, peerNotAfter));
        return new EstablishedSession(pair, peerAgent, initiator, binding.epoch(), kp, Instant.ofEpochMilli(expires),
                Instant.ofEpochMilli(localNotAfter), Instant.ofEpochMilli(peerNotAfter));
    }
}
