package io.xdpmesh.control.ca;

import java.nio.file.Path;

/**
 * One directory per identity, as spiffe-helper writes it: the certificate chain (leaf first), the
 * leaf's PKCS#8 key, and the trust bundle. spiffe-helper names the bundle {@code svid_bundle.pem}
 * by default; both names are read, {@code bundle.pem} is written.
 */
public final class SvidLayout {
    public static final String SVID = "svid.pem";
    public static final String KEY = "svid_key.pem";
    public static final String BUNDLE = "bundle.pem";
    public static final String HELPER_BUNDLE = "svid_bundle.pem";

    private SvidLayout() {}

    public static Path svid(Path dir) { return dir.resolve(SVID); }
    public static Path key(Path dir) { return dir.resolve(KEY); }

    /** The bundle file in {@code dir}: {@code bundle.pem}, else spiffe-helper's default name. */
    public static Path bundle(Path dir) {
        Path p = dir.resolve(BUNDLE);
        Path helper = dir.resolve(HELPER_BUNDLE);
        return !java.nio.file.Files.exists(p) && java.nio.file.Files.exists(helper) ? helper : p;
    }
}
