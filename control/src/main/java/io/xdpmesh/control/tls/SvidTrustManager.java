package io.xdpmesh.control.tls;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.handshake.FailureReason;
import io.xdpmesh.control.identity.IdentityStore;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Runs {@link PeerVerifier} inside the TLS handshake, so a bad peer is refused with a TLS alert
 * (what openssl sees) and this side keeps the exact reason. The verified peer identity goes into
 * the connection's {@link ConnectionContext}; a connection whose context has none was never
 * verified here (for example a resumed session) and is not used.
 */
public final class SvidTrustManager extends X509ExtendedTrustManager {
    private final IdentityStore store;
    private final PeerVerifier verifier;

    public SvidTrustManager(IdentityStore store, PeerVerifier verifier) {
        this.store = store;
        this.verifier = verifier;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain, engine, false);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain, engine, true);
    }

    private void check(X509Certificate[] chain, SSLEngine engine, boolean weAreInitiator) throws CertificateException {
        ConnectionContext ctx = ConnectionContext.of(engine);
        if (ctx == null || ctx.isInitiator() != weAreInitiator) {
            throw new SvidRejectedException(FailureReason.PROTOCOL_ERROR, "connection without an xdpmesh context");
        }
        SpiffeId peer = verifier.verify(chain, ctx.expectedRemote(), ctx.peer().getAddress(), System.currentTimeMillis());
        ctx.verified(peer, chain[0].getNotAfter().getTime());
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        List<X509Certificate> all = new ArrayList<>();
        store.bundles().values().forEach(b -> all.addAll(b.getX509Authorities()));
        return all.toArray(X509Certificate[]::new);
    }

    // Socket-based checks are never used here; refuse rather than accept unchecked.
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("xdpmesh verifies peers only on SSLEngine connections");
    }
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("xdpmesh verifies peers only on SSLEngine connections");
    }
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("xdpmesh verifies peers only on SSLEngine connections");
    }
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("xdpmesh verifies peers only on SSLEngine connections");
    }
}
