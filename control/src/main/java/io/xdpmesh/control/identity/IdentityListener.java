package io.xdpmesh.control.identity;

import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.svid.x509svid.X509Svid;

/** Told when a local identity's SVID appears or rotates (the handshake service re-auths its pairs). */
@FunctionalInterface
public interface IdentityListener {
    void svidChanged(SpiffeId id, X509Svid previous, X509Svid current);
}
