package io.xdpmesh.control.tls;

import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.svid.x509svid.X509Svid;
import io.xdpmesh.control.identity.IdentityStore;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Picks the SVID a connection presents. The initiator presents the local workload's SVID named
 * in its {@link ConnectionContext}; the responder presents the identity the initiator asked for in
 * SNI ({@link SniNames}), or, without SNI (a plain TLS client such as openssl), the default
 * identity (the node's). Aliases name an {@link IdentityStore} generation, so the chain and key
 * handed to SunJSSE belong together even across a rotation.
 */
public final class SvidKeyManager extends X509ExtendedKeyManager {
    private final IdentityStore store;
    private final SpiffeId defaultIdentity;
    private final Map<SpiffeId, String> sniCache = new ConcurrentHashMap<>();
    /** SNI name (lower case) to identity, so a responder finds the asked-for identity in one look-up. */
    private final Map<String, SpiffeId> byName = new ConcurrentHashMap<>();

    public SvidKeyManager(IdentityStore store, SpiffeId defaultIdentity) {
        this.store = store;
        this.defaultIdentity = defaultIdentity;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        ConnectionContext ctx = ConnectionContext.of(engine);
        if (ctx == null || ctx.local() == null) {
            return null;
        }
        return alias(ctx, ctx.local(), keyTypes);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        ConnectionContext ctx = ConnectionContext.of(engine);
        if (ctx == null) {
            return null;
        }
        SpiffeId wanted = requested(engine.getHandshakeSession()).orElse(defaultIdentity);
        return wanted == null ? null : alias(ctx, wanted, new String[] {keyType});
    }

    private String alias(ConnectionContext ctx, SpiffeId id, String[] keyTypes) {
        Optional<IdentityStore.Entry> e = store.current(id);
        if (e.isEmpty()) {
            return null;
        }
        X509Svid svid = e.get().svid();
        String alg = svid.getLeaf().getPublicKey().getAlgorithm();
        boolean ok = false;
        for (String k : keyTypes) {
            ok |= k.equalsIgnoreCase(alg) || k.toUpperCase(java.util.Locale.ROOT).startsWith(alg.toUpperCase(java.util.Locale.ROOT));
        }
        if (!ok) {
            return null;
        }
        ctx.chose(id, svid);
        return "g" + e.get().generation();
    }

    private Optional<SpiffeId> requested(SSLSession handshake) {
        if (!(handshake instanceof ExtendedSSLSession ext)) {
            return Optional.empty();
        }
        List<SNIServerName> names = ext.getRequestedServerNames();
        for (SNIServerName n : names) {
            if (n.getType() == StandardConstants.SNI_HOST_NAME) {
                String host = ((SNIHostName) n).getAsciiName();
                if (SniNames.isIdentityName(host)) {
                    String key = host.toLowerCase(java.util.Locale.ROOT);
                    SpiffeId known = byName.get(key);
                    if (known == null) { // an identity loaded since the last look: index them again
                        for (SpiffeId id : store.snapshot().keySet()) {
                            byName.putIfAbsent(sniCache.computeIfAbsent(id, SniNames::of).toLowerCase(java.util.Locale.ROOT), id);
                        }
                        known = byName.get(key);
                    }
                    if (known != null) {
                        return Optional.of(known); // gone from the store since: alias() finds no SVID
                    }
                    // Asked for an identity this node does not hold: present nothing, the handshake fails.
                    return Optional.of(SpiffeId.parse("spiffe://unknown.invalid/" + host));
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return entry(alias).map(e -> e.svid().getChainArray()).orElse(null);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return entry(alias).map(e -> e.svid().getPrivateKey()).orElse(null);
    }

    private Optional<IdentityStore.Entry> entry(String alias) {
        if (alias == null || !alias.startsWith("g")) {
            return Optional.empty();
        }
        try {
            return store.generation(Long.parseLong(alias.substring(1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    // Socket-based selection is never used: every connection runs on an SSLEngine with a context.
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) { return null; }
    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) { return null; }
    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) { return null; }
    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) { return null; }
}
