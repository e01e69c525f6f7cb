package io.xdpmesh.control.tls;

import java.lang.System.Logger.Level;
import java.security.Provider;
import java.security.Security;

/**
 * The JCA providers under SunJSSE. The Amazon Corretto Crypto Provider (AWS-LC) goes first when
 * its native library loads and passes its self-tests: it roughly halves a TLS 1.3 mTLS handshake
 * (ECDSA, ECDH P-256, HKDF, AES-GCM). When it cannot load (another OS or CPU, a noexec temp
 * directory, ...) the JDK's own providers do everything and {@link #status()} says why. ACCP has
 * no X25519, so handshakes offer secp256r1 first.
 */
public final class CryptoProviders {
    private static final System.Logger LOG = System.getLogger(CryptoProviders.class.getName());
    /** Set to "false" to keep the JDK providers (benchmarks compare both). */
    public static final String PROPERTY = "xdpmesh.accp";

    /** What is in use: {@code accp} true with its version, or the JDK with the reason. */
    public record Status(boolean accp, String detail) {
        @Override
        public String toString() {
            return accp ? "ACCP " + detail + " first, JDK providers after" : "JDK providers (" + detail + ")";
        }
    }

    private static volatile Status status;

    private CryptoProviders() {}

    /** Installs ACCP first once per JVM unless disabled; returns what is in use. */
    public static synchronized Status install() {
        if (status != null) {
            return status;
        }
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY))) {
            return status = new Status(false, "ACCP disabled by -D" + PROPERTY + "=false");
        }
        try {
            Class<?> c = Class.forName("com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider");
            Provider p = (Provider) c.getField("INSTANCE").get(null);
            Throwable err = (Throwable) c.getMethod("getLoadingError").invoke(p);
            if (err != null) {
                LOG.log(Level.WARNING, "ACCP native library did not load, using the JDK providers: " + err);
                return status = new Status(false, "ACCP did not load: " + err);
            }
            c.getMethod("assertHealthy").invoke(p);
            if (Security.getProviders()[0] != p) {
                Security.removeProvider(p.getName());
                Security.insertProviderAt(p, 1);
            }
            String version = (String) c.getMethod("getVersionStr").invoke(p);
            String awsLc = (String) c.getMethod("getAwsLcVersionStr").invoke(p);
            return status = new Status(true, version + " (AWS-LC " + awsLc + ")");
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : e;
            LOG.log(Level.WARNING, "ACCP unavailable, using the JDK providers: " + cause);
            return status = new Status(false, "ACCP unavailable: " + cause);
        }
    }

    /** The current status (installs first if nobody has yet). */
    public static Status status() {
        Status s = status;
        return s != null ? s : install();
    }
}
