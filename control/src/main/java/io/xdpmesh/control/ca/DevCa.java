package io.xdpmesh.control.ca;

import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.spiffeid.TrustDomain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * The built-in development CA: a trust domain's root (EC P-256), optionally an intermediate, the
 * trust bundle, and X509-SVIDs issued into spiffe-helper's file layout ({@link SvidLayout}).
 * For development and tests only: the CA keys sit in files (mode 0600) under the CA directory.
 *
 * <pre>
 * &lt;dir&gt;/trust-domain              the trust domain name
 * &lt;dir&gt;/root.pem, root_key.pem    root CA
 * &lt;dir&gt;/intermediate.pem, intermediate_key.pem   (with an intermediate)
 * &lt;dir&gt;/bundle.pem                the trust bundle (the root)
 * </pre>
 */
public final class DevCa {
    public static final String TRUST_DOMAIN_FILE = "trust-domain";
    public static final String ROOT = "root.pem";
    public static final String ROOT_KEY = "root_key.pem";
    public static final String INTERMEDIATE = "intermediate.pem";
    public static final String INTERMEDIATE_KEY = "intermediate_key.pem";
    public static final String BUNDLE = "bundle.pem";
    /** Node identities live under this path of the trust domain. */
    public static final String NODE_PATH = "/xdpmesh/node/";

    private final Path dir;
    private final TrustDomain trustDomain;
    private final X509Certificate root;
    private final PrivateKey rootKey;
    private final X509Certificate intermediate; // may be null
    private final PrivateKey intermediateKey;

    private DevCa(Path dir, TrustDomain td, X509Certificate root, PrivateKey rootKey,
                  X509Certificate intermediate, PrivateKey intermediateKey) {
        this.dir = dir;
        this.trustDomain = td;
        this.root = root;
        this.rootKey = rootKey;
        this.intermediate = intermediate;
        this.intermediateKey = intermediateKey;
    }

    /** Creates a new CA in {@code dir} (which must not hold one already). */
    public static DevCa init(Path dir, String trustDomain, Duration validity, boolean withIntermediate) throws IOException {
        TrustDomain td = TrustDomain.parse(trustDomain);
        if (Files.exists(dir.resolve(ROOT_KEY))) {
            throw new IOException(dir + " already holds a CA (" + ROOT_KEY + "); use another --dir or remove it");
        }
        Files.createDirectories(dir);
        Instant now = Instant.now();
        Instant notBefore = now.minusSeconds(300);
        Instant notAfter = now.plus(validity);
        KeyPair rootKeys = CertBuilder.p256();
        X500Name rootName = new X500Name("O=xdpmesh dev CA,CN=" + td.getName() + " root");
        X509Certificate root = CertBuilder.ca(rootName, td.toIdString(), rootKeys.getPublic(), rootName,
                rootKeys.getPrivate(), rootKeys.getPublic(), notBefore, notAfter, null);
        X509Certificate inter = null;
        PrivateKey interKey = null;
        if (withIntermediate) {
            KeyPair ik = CertBuilder.p256();
            inter = CertBuilder.ca(new X500Name("O=xdpmesh dev CA,CN=" + td.getName() + " intermediate"),
                    td.toIdString(), ik.getPublic(), rootName, rootKeys.getPrivate(), rootKeys.getPublic(),
                    notBefore, notAfter, 0);
            interKey = ik.getPrivate();
        }
        Files.writeString(dir.resolve(TRUST_DOMAIN_FILE), td.getName() + "\n", StandardCharsets.US_ASCII);
        Pem.write(dir.resolve(ROOT), Pem.certificates(List.of(root)), false);
        Pem.write(dir.resolve(ROOT_KEY), Pem.privateKey(rootKeys.getPrivate()), true);
        Pem.write(dir.resolve(BUNDLE), Pem.certificates(List.of(root)), false);
        if (inter != null) {
            Pem.write(dir.resolve(INTERMEDIATE), Pem.certificates(List.of(inter)), false);
            Pem.write(dir.resolve(INTERMEDIATE_KEY), Pem.privateKey(interKey), true);
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return new DevCa(dir, td, root, rootKeys.getPrivate(), inter, interKey);
    }

    /** Opens the CA that {@link #init} made in {@code dir}. */
    public static DevCa load(Path dir) throws IOException {
        Path tdFile = dir.resolve(TRUST_DOMAIN_FILE);
        if (!Files.exists(tdFile)) {
            throw new IOException(dir + " holds no CA (no " + TRUST_DOMAIN_FILE + "); run 'xdpmesh ca init' first");
        }
        TrustDomain td = TrustDomain.parse(Files.readString(tdFile, StandardCharsets.US_ASCII).strip());
        X509Certificate root = Pem.readCertificates(dir.resolve(ROOT)).getFirst();
        PrivateKey rootKey = Pem.readPrivateKey(dir.resolve(ROOT_KEY));
        X509Certificate inter = null;
        PrivateKey interKey = null;
        if (Files.exists(dir.resolve(INTERMEDIATE))) {
            inter = Pem.readCertificates(dir.resolve(INTERMEDIATE)).getFirst();
            interKey = Pem.readPrivateKey(dir.resolve(INTERMEDIATE_KEY));
        }
        return new DevCa(dir, td, root, rootKey, inter, interKey);
    }

    public static SpiffeId workloadId(TrustDomain td, String namespace, String serviceAccount) {
        return SpiffeId.fromSegments(td, "ns", namespace, "sa", serviceAccount);
    }

    public static SpiffeId nodeId(TrustDomain td, String node) {
        return SpiffeId.parse(td.toIdString() + NODE_PATH + node);
    }

    /** What to issue. {@code anyTrustDomain} lets tests make SVIDs of a foreign trust domain. */
    public record IssueSpec(String spiffeId, Instant notBefore, Instant notAfter, boolean viaIntermediate,
                            boolean anyTrustDomain) {
        public IssueSpec {
            Objects.requireNonNull(spiffeId, "spiffeId");
        }

        public static IssueSpec valid(String spiffeId, Duration ttl) {
            Instant now = Instant.now();
            return new IssueSpec(spiffeId, now.minusSeconds(60), now.plus(ttl), true, false);
        }
    }

    /**
     * Issues an X509-SVID into {@code out} (svid.pem = leaf then intermediate, svid_key.pem,
     * bundle.pem). The key is fresh; files are replaced atomically, key first, so a watcher that
     * sees the new svid.pem also finds its key.
     */
    public X509Certificate issue(IssueSpec spec, Path out) throws IOException {
        KeyPair keys = CertBuilder.p256();
        List<X509Certificate> chain = chain(spec, keys);
        Files.createDirectories(out);
        Pem.write(SvidLayout.key(out), Pem.privateKey(keys.getPrivate()), true);
        Pem.write(out.resolve(SvidLayout.BUNDLE), Pem.certificates(List.of(root)), false);
        Pem.write(SvidLayout.svid(out), Pem.certificates(chain), false);
        return chain.get(0);
    }

    /** The chain (leaf first, then the intermediate if the spec asks for it) for {@code keys}, in memory only. */
    public List<X509Certificate> chain(IssueSpec spec, KeyPair keys) {
        SpiffeId id = SpiffeId.parse(spec.spiffeId());
        if (!spec.anyTrustDomain() && !id.getTrustDomain().equals(trustDomain)) {
            throw new IllegalArgumentException(id + " is not in this CA's trust domain " + trustDomain.getName());
        }
        boolean viaInter = spec.viaIntermediate() && intermediate != null;
        X509Certificate issuerCert = viaInter ? intermediate : root;
        PrivateKey issuerKey = viaInter ? intermediateKey : rootKey;
        X509Certificate leaf = CertBuilder.leaf(id.toString(), keys.getPublic(),
                X500Name.getInstance(issuerCert.getSubjectX500Principal().getEncoded()), issuerKey,
                issuerCert.getPublicKey(), spec.notBefore(), spec.notAfter());
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(leaf);
        if (viaInter) {
            chain.add(intermediate);
        }
        return chain;
    }

    /** A fresh P-256 key pair, as {@link #issue} makes for each SVID. */
    public static KeyPair newKeyPair() {
        return CertBuilder.p256();
    }

    public TrustDomain trustDomain() { return trustDomain; }
    public X509Certificate root() { return root; }
    public X509Certificate intermediate() { return intermediate; }
    public Path dir() { return dir; }
    public Path bundlePath() { return dir.resolve(BUNDLE); }
}
