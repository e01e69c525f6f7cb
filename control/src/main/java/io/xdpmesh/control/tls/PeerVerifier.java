package io.xdpmesh.control.tls;

import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.handshake.FailureReason;
import io.xdpmesh.control.identity.IdentityStore;
import java.net.InetAddress;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Every check on a peer's certificate chain, in this order (so each bad SVID gets its own
 * reason): it is an X509-SVID with one spiffe:// URI SAN; its trust domain has a bundle here;
 * every certificate is within its validity; the chain verifies against that bundle
 * ({@link ChainValidator}); it is exactly the SPIFFE ID asked for (initiator side); and node
 * binding holds for the peer agent's address.
 */
public final class PeerVerifier {
    private final IdentityStore store;
    private final ChainValidator chains;
    private final NodeBinding binding;

    public PeerVerifier(IdentityStore store, ChainValidator chains, NodeBinding binding) {
        this.store = store;
        this.chains = chains;
        this.binding = binding;
    }

    /**
     * @param expected the SPIFFE ID this side asked for, or null (the responder accepts whoever
     *                 the initiator is, subject to the rest)
     * @param peerNode the peer agent's address
     * @return the peer's SPIFFE ID
     */
    public SpiffeId verify(X509Certificate[] chain, SpiffeId expected, InetAddress peerNode, long nowMillis)
            throws SvidRejectedException {
        if (chain == null || chain.length == 0) {
            throw new SvidRejectedException(FailureReason.NOT_AN_SVID, "no certificate");
        }
        SpiffeId id = spiffeId(chain[0]);
        Optional<X509Bundle> bundle = store.bundle(id.getTrustDomain());
        if (bundle.isEmpty()) {
            throw new SvidRejectedException(FailureReason.WRONG_TRUST_DOMAIN, id + ": no bundle for trust domain "
                    + id.getTrustDomain().getName());
        }
        for (X509Certificate c : chain) {
            if (nowMillis >= c.getNotAfter().getTime()) {
                throw new SvidRejectedException(FailureReason.EXPIRED, id + ": " + c.getSubjectX500Principal()
                        + " expired at " + c.getNotAfter().toInstant());
            }
            if (nowMillis < c.getNotBefore().getTime()) {
                throw new SvidRejectedException(FailureReason.EXPIRED, id + ": " + c.getSubjectX500Principal()
                        + " not valid before " + c.getNotBefore().toInstant());
            }
        }
        chains.validate(chain, bundle.get(), nowMillis);
        if (expected != null && !expected.equals(id)) {
            throw new SvidRejectedException(FailureReason.WRONG_SPIFFE_ID, "asked for " + expected + ", peer is " + id);
        }
        if (peerNode != null && !binding.placedOn(id, peerNode)) {
            throw new SvidRejectedException(FailureReason.NODE_BINDING, id + " is not placed on node "
                    + peerNode.getHostAddress());
        }
        return id;
    }

    /** The single spiffe:// URI SAN of an X509-SVID leaf. */
    public static SpiffeId spiffeId(X509Certificate leaf) throws SvidRejectedException {
        Collection<List<?>> sans;
        try {
            sans = leaf.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new SvidRejectedException(FailureReason.NOT_AN_SVID, "unreadable SAN: " + e.getMessage());
        }
        String uri = null;
        if (sans != null) {
            for (List<?> san : sans) {
                if ((Integer) san.get(0) == 6) {
                    if (uri != null) {
                        throw new SvidRejectedException(FailureReason.NOT_AN_SVID, "more than one URI SAN");
                    }
                    uri = (String) san.get(1);
                }
            }
        }
        if (uri == null) {
            throw new SvidRejectedException(FailureReason.NOT_AN_SVID, "no URI SAN");
        }
        try {
            return SpiffeId.parse(uri);
        } catch (IllegalArgumentException e) {
            throw new SvidRejectedException(FailureReason.NOT_AN_SVID, "URI SAN " + uri + " is not a SPIFFE ID: " + e.getMessage());
        }
    }
}
