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
            X509Bundle b = X509Bundle.load(s.getSpiffeId().getTrustDomain(), bundle);
            return new Loaded(s, b);
        } catch (X509SvidException | X509BundleException e) {
            throw new IOException(dir + ": " + e.getMessage(), e);
        }
    }
}
