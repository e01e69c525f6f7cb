package io.xdpmesh.control.tls;

import io.spiffe.bundle.x509bundle.X509Bundle;
import io.xdpmesh.control.handshake.FailureReason;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Certificate-path validation against a trust bundle, paid once per CA certificate and once per
 * leaf. The first chain through an unknown intermediate runs the JDK's full PKIX validation (no
 * revocation: SPIFFE relies on short-lived SVIDs); every CA certificate of that chain is then
 * remembered as validated (exact DER match, valid until its NotAfter, for that bundle instance).
 * A new leaf under a known intermediate (or directly under a bundle root) is checked by hand: its
 * issuer name, its signature, CA:false, digitalSignature, no unknown critical extension. A leaf
 * seen before (exact DER) costs a map lookup. A new bundle instance (rotation of roots) starts
 * afresh.
 */
public final class ChainValidator {
    private static final Set<String> LEAF_CRITICAL_OK = Set.of("2.5.29.15", "2.5.29.19", "2.5.29.17", "2.5.29.37");
    private static final int MAX_ENTRIES = 65_536;

    private record Validated(X509Bundle bundle, long notAfterMillis) {}

    private final Map<ByteBuffer, Validated> cas = new ConcurrentHashMap<>();
    private final Map<ByteBuffer, Validated> leaves = new ConcurrentHashMap<>();
    private final AtomicLong fullValidations = new AtomicLong();
    private final AtomicLong leafChecks = new AtomicLong();
    private final AtomicLong leafHits = new AtomicLong();

    /** Validates {@code chain} (leaf first) against {@code bundle} at {@code nowMillis}, or throws with the reason. */
    public void validate(X509Certificate[] chain, X509Bundle bundle, long nowMillis) throws SvidRejectedException {
        X509Certificate leaf = chain[0];
        ByteBuffer leafKey = der(leaf);
        Validated v = leaves.get(leafKey);
        if (v != null && v.bundle() == bundle && nowMillis < v.notAfterMillis()) {
            leafHits.incrementAndGet();
            return;
        }
        X509Certificate issuer = knownIssuer(chain, bundle, nowMillis);
        long notAfter;
        if (issuer != null) {
            leafChecks.incrementAndGet();
            checkLeafAgainst(leaf, issuer);
            notAfter = Math.min(leaf.getNotAfter().getTime(), caNotAfter(chain, bundle));
        } else {
            fullValidations.incrementAndGet();
            fullPkix(chain, bundle, nowMillis);
            notAfter = leaf.getNotAfter().getTime();
            for (int i = 1; i < chain.length; i++) {
                notAfter = Math.min(notAfter, chain[i].getNotAfter().getTime());
                remember(cas, der(chain[i]), new Validated(bundle, chain[i].getNotAfter().getTime()));
            }
        }
        remember(leaves, leafKey, new Validated(bundle, notAfter));
    }

    /** The leaf's issuer when it is a CA certificate validated before, or a root of the bundle. */
    private X509Certificate knownIssuer(X509Certificate[] chain, X509Bundle bundle, long now) {
        if (chain.length > 1) {
            for (int i = 1; i < chain.length; i++) {
                Validated v = cas.get(der(chain[i]));
                if (v == null || v.bundle() != bundle || now >= v.notAfterMillis()) {
                    return null;
                }
            }
            return chain[1];
        }
        for (X509Certificate root : bundle.getX509Authorities()) {
            if (root.getSubjectX500Principal().equals(chain[0].getIssuerX500Principal()) && now < root.getNotAfter().getTime()) {
                return root;
            }
        }
        return null;
    }

    private long caNotAfter(X509Certificate[] chain, X509Bundle bundle) {
        long n = Long.MAX_VALUE;
        for (int i = 1; i < chain.length; i++) {
            n = Math.min(n, cas.get(der(chain[i])).notAfterMillis());
        }
        return n;
    }

    private static void checkLeafAgainst(X509Certificate leaf, X509Certificate issuer) throws SvidRejectedException {
        if (!leaf.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            throw new SvidRejectedException(FailureReason.UNTRUSTED_CHAIN, "leaf issuer " + leaf.getIssuerX500Principal()
                    + " is not " + issuer.getSubjectX500Principal());
        }
        try {
            leaf.verify(issuer.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new SvidRejectedException(FailureReason.UNTRUSTED_CHAIN, "leaf signature does not verify: " + e.getMessage());
        }
        checkLeafProfile(leaf);
    }

    /** X509-SVID leaf rules (also checked after full PKIX, which does not look at them). */
    static void checkLeafProfile(X509Certificate leaf) throws SvidRejectedException {
        if (leaf.getBasicConstraints() != -1) {
            throw new SvidRejectedException(FailureReason.NOT_AN_SVID, "leaf is a CA certificate");
        }
        boolean[] ku = leaf.getKeyUsage();
        if (ku == null || !ku[0] || (ku.length > 5 && ku[5]) || (ku.length > 6 && ku[6])) {
            throw new SvidRejectedException(FailureReason.NOT_AN_SVID, "leaf key usage lacks digitalSignature or has keyCertSign/cRLSign");
        }
        Set<String> critical = leaf.getCriticalExtensionOIDs();
        if (critical != null) {
            for (String oid : critical) {
                if (!LEAF_CRITICAL_OK.contains(oid)) {
                    throw new SvidRejectedException(FailureReason.NOT_AN_SVID, "unknown critical extension " + oid);
                }
            }
        }
    }

    private static void fullPkix(X509Certificate[] chain, X509Bundle bundle, long now) throws SvidRejectedException {
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            for (X509Certificate root : bundle.getX509Authorities()) {
                anchors.add(new TrustAnchor(root, null));
            }
            if (anchors.isEmpty()) {
                throw new SvidRejectedException(FailureReason.UNTRUSTED_CHAIN, "empty trust bundle for " + bundle.getTrustDomain());
            }
            // The path handed to PKIX must not contain the anchor itself.
            List<X509Certificate> path = Arrays.stream(chain).filter(c -> !bundle.hasX509Authority(c)).toList();
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(new Date(now));
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
        } catch (CertPathValidatorException e) {
            boolean time = e.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                    || e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID;
            throw new SvidRejectedException(time ? FailureReason.EXPIRED : FailureReason.UNTRUSTED_CHAIN,
                    "PKIX: " + e.getMessage() + (e.getReason() instanceof PKIXReason r ? " (" + r + ")" : ""));
        } catch (GeneralSecurityException e) {
            throw new SvidRejectedException(FailureReason.UNTRUSTED_CHAIN, "PKIX: " + e.getMessage());
        }
        checkLeafProfile(chain[0]);
    }

    private static ByteBuffer der(X509Certificate c) {
        try {
            return ByteBuffer.wrap(c.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void remember(Map<ByteBuffer, Validated> map, ByteBuffer key, Validated v) {
        if (map.size() >= MAX_ENTRIES) {
            map.clear(); // bounded; a storm of distinct leaves only costs re-validation
        }
        map.put(key, v);
    }

    public long fullValidations() { return fullValidations.get(); }
    public long leafChecks() { return leafChecks.get(); }
    public long leafHits() { return leafHits.get(); }
}
