package io.xdpmesh.control.tls;

import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.svid.x509svid.X509Svid;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;

/**
 * What one TLS connection is for, shared between the Netty handlers and the key and trust
 * managers (which only see the {@link SSLEngine}): the role, the peer agent's address, the local
 * identity (the initiator's choice, or the responder's from SNI), the identity asked for, and what
 * the managers decided.
 */
public final class ConnectionContext {
    private static final Map<SSLEngine, ConnectionContext> BY_ENGINE = new ConcurrentHashMap<>();

    private final boolean initiator;
    private final InetSocketAddress peer;
    private final SpiffeId expectedRemote;
    private volatile SpiffeId local;
    private volatile X509Svid localSvid;
    private volatile SpiffeId verifiedPeer;
    private volatile long peerNotAfterMillis;

    private ConnectionContext(boolean initiator, InetSocketAddress peer, SpiffeId local, SpiffeId expectedRemote) {
        this.initiator = initiator;
        this.peer = peer;
        this.local = local;
        this.expectedRemote = expectedRemote;
    }

    public static ConnectionContext initiator(SSLEngine engine, InetSocketAddress peer, SpiffeId local, SpiffeId remote) {
        ConnectionContext c = new ConnectionContext(true, peer, local, remote);
        BY_ENGINE.put(engine, c);
        return c;
    }

    public static ConnectionContext responder(SSLEngine engine, InetSocketAddress peer) {
        ConnectionContext c = new ConnectionContext(false, peer, null, null);
        BY_ENGINE.put(engine, c);
        return c;
    }

    public static ConnectionContext of(SSLEngine engine) {
        return engine == null ? null : BY_ENGINE.get(engine);
    }

    /** Forget the engine once its handshake is over (success or not). */
    public static void release(SSLEngine engine) {
        BY_ENGINE.remove(engine);
    }

    public boolean isInitiator() { return initiator; }
    public InetSocketAddress peer() { return peer; }
    public SpiffeId expectedRemote() { return expectedRemote; }
    public SpiffeId local() { return local; }
    public X509Svid localSvid() { return localSvid; }
    /** Set only by the trust manager after every check passed; null means the peer was never verified. */
    public SpiffeId verifiedPeer() { return verifiedPeer; }
    /** The verified peer leaf's NotAfter, epoch ms. */
    public long peerNotAfterMillis() { return peerNotAfterMillis; }

    void chose(SpiffeId id, X509Svid svid) {
        this.local = id;
        this.localSvid = svid;
    }

    void verified(SpiffeId id, long notAfterMillis) {
        this.peerNotAfterMillis = notAfterMillis; // before the volatile write that publishes the verdict
        this.verifiedPeer = id;
    }
}
