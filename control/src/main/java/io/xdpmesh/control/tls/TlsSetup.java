package io.xdpmesh.control.tls;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.identity.IdentityStore;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;

/**
 * The one SSLContext (JDK SunJSSE, TLS 1.3 only) behind every handshake connection, with the SVID
 * key manager and the SPIFFE trust manager, and the engines made from it. Engines are created
 * without a peer host, so SunJSSE never offers or accepts session resumption across identity
 * pairs (a resumed session would skip the certificate checks); the connection code also refuses
 * any session whose peer the trust manager did not verify.
 */
public final class TlsSetup {
    /** ACCP has no X25519: P-256 first keeps the key share in AWS-LC; X25519 stays as a fallback (responder). */
    static final String[] NAMED_GROUPS = {"secp256r1", "x25519"};
    /**
     * What an initiator offers. SunJSSE sends a key share for each of its first groups, and an
     * X25519 share is computed by the JDK's own (slow) XDH code on every handshake although our
     * responder always picks P-256: about an eighth of a handshake's CPU. Initiators only talk to
     * xdpmesh responders, which accept P-256.
     */
    static final String[] INITIATOR_GROUPS = {"secp256r1"};
    static final String[] PROTOCOLS = {"TLSv1.3"};

    private final SSLContext context;
    private final ChainValidator chains;

    static {
        // Resumption is never used (every pair is a full, verified handshake), so the server need
        // not mint session tickets after each handshake. Only a default: an explicit -D wins.
        if (System.getProperty("jdk.tls.server.newSessionTicketCount") == null) {
            System.setProperty("jdk.tls.server.newSessionTicketCount", "0");
        }
    }

    public TlsSetup(IdentityStore store, NodeBinding binding, SpiffeId defaultServerIdentity) {
        CryptoProviders.install();
        this.chains = new ChainValidator();
        try {
            context = SSLContext.getInstance("TLSv1.3", "SunJSSE");
            context.init(new KeyManager[] {new SvidKeyManager(store, defaultServerIdentity)},
                    new TrustManager[] {new SvidTrustManager(store, new PeerVerifier(store, chains, binding))},
                    new SecureRandom());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the TLS 1.3 context", e);
        }
        // Belt and braces against resumption: tiny caches with a 1 s lifetime.
        context.getServerSessionContext().setSessionCacheSize(1);
        context.getServerSessionContext().setSessionTimeout(1);
        context.getClientSessionContext().setSessionCacheSize(1);
        context.getClientSessionContext().setSessionTimeout(1);
    }

    /** An initiator engine presenting {@code local} and asking {@code peer} for {@code remote} (via SNI). */
    public SSLEngine initiator(InetSocketAddress peer, SpiffeId local, SpiffeId remote) {
        SSLEngine e = context.createSSLEngine();
        e.setUseClientMode(true);
        SSLParameters p = base(e);
        p.setNamedGroups(INITIATOR_GROUPS);
        p.setServerNames(List.of(new SNIHostName(SniNames.of(remote))));
        e.setSSLParameters(p);
        ConnectionContext.initiator(e, peer, local, remote);
        return e;
    }

    /** A responder engine for a connection from {@code peer}; a client certificate is required. */
    public SSLEngine responder(InetSocketAddress peer) {
        SSLEngine e = context.createSSLEngine();
        e.setUseClientMode(false);
        SSLParameters p = base(e);
        p.setNeedClientAuth(true);
        e.setSSLParameters(p);
        ConnectionContext.responder(e, peer);
        return e;
    }

    private static SSLParameters base(SSLEngine e) {
        SSLParameters p = e.getSSLParameters();
        p.setProtocols(PROTOCOLS);
        p.setNamedGroups(NAMED_GROUPS);
        return p;
    }

    public ChainValidator chains() {
        return chains;
    }
}
