package io.xdpmesh.control.identity;

import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.exception.X509BundleException;
import io.spiffe.exception.X509SvidException;
import io.spiffe.svid.x509svid.X509Svid;
import io.xdpmesh.control.ca.SvidLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads one identity directory in spiffe-helper's layout into java-spiffe types. */
public final class SvidFiles {
    private SvidFiles() {}

    public record Loaded(X509Svid svid, X509Bundle bundle) {}

    /**
     * java-spiffe does not check that the key belongs to the leaf; a directory caught between a
     * writer's key and certificate would otherwise load as an SVID no handshake can use.
     */
    static void checkKeyMatches(X509Svid s, Path dir) throws IOException {
        try {
            String alg = s.getLeaf().getPublicKey().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            byte[] probe = "xdpmesh key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            java.security.Signature sign = java.security.Signature.getInstance(alg);
            sign.initSign(s.getPrivateKey());
            sign.update(probe);
            byte[] sig = sign.sign();
            java.security.Signature verify = java.security.Signature.getInstance(alg);
            verify.initVerify(s.getLeaf().getPublicKey());
            verify.update(probe);
            if (!verify.verify(sig)) {
                throw new IOException(dir + ": " + SvidLayout.KEY + " does not belong to the leaf in " + SvidLayout.SVID);
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(dir + ": key check failed: " + e.getMessage(), e);
        }
    }

    public static Loaded load(Path dir) throws IOException {
        Path svid = SvidLayout.svid(dir);
        Path key = SvidLayout.key(dir);
        Path bundle = SvidLayout.bundle(dir);
        for (Path p : new Path[] {svid, key, bundle}) {
            if (!Files.isReadable(p)) {
                throw new IOException(p + " is missing or unreadable");
            }
        }
        try {
            X509Svid s = X509Svid.load(svid, key);
            checkKeyMatches(s, dir);
            X509Bundle b = X509Bundle.load(s.getSpiffeId().getTrustDomain(), bundle);
            return new Loaded(s, b);
        } catch (X509SvidException | X509BundleException e) {
            throw new IOException(dir + ": " + e.getMessage(), e);
        }
    }
}
