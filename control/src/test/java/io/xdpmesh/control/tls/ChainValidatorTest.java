package io.xdpmesh.control.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.spiffeid.TrustDomain;
import io.xdpmesh.control.ca.DevCa;
import io.xdpmesh.control.ca.Pem;
import io.xdpmesh.control.ca.SvidLayout;
import io.xdpmesh.control.handshake.FailureReason;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Path validation is paid once per intermediate and once per leaf, and the caches cannot be fooled. */
class ChainValidatorTest {
    @TempDir
    Path dir;

    X509Certificate[] chain(DevCa ca, String id, String name) throws Exception {
        ca.issue(DevCa.IssueSpec.valid(id, Duration.ofHours(1)), dir.resolve(name));
        return Pem.readCertificates(SvidLayout.svid(dir.resolve(name))).toArray(X509Certificate[]::new);
    }

    @Test
    void fullValidationOncePerIntermediateThenLeafChecksThenHits() throws Exception {
        DevCa ca = DevCa.init(dir.resolve("ca"), "cv.test", Duration.ofDays(1), true);
        X509Bundle bundle = new X509Bundle(TrustDomain.parse("cv.test"), Set.of(ca.root()));
        ChainValidator v = new ChainValidator();
        long now = System.currentTimeMillis();
        X509Certificate[] a = chain(ca, "spiffe://cv.test/ns/a/sa/a", "a");
        X509Certificate[] b = chain(ca, "spiffe://cv.test/ns/b/sa/b", "b");
        v.validate(a, bundle, now);
        v.validate(b, bundle, now);
        v.validate(a, bundle, now);
        v.validate(b, bundle, now);
        assertEquals(1, v.fullValidations());
        assertEquals(1, v.leafChecks());
        assertEquals(2, v.leafHits());
        // A new bundle instance (root rotation) starts afresh.
        X509Bundle again = new X509Bundle(TrustDomain.parse("cv.test"), Set.of(ca.root()));
        v.validate(a, again, now);
        assertEquals(2, v.fullValidations());
    }

    @Test
    void aLeafFromAnotherCaBehindTheGenuineCachedIntermediateIsRejected() throws Exception {
        DevCa ca = DevCa.init(dir.resolve("ca"), "cv.test", Duration.ofDays(1), true);
        // Same trust domain, so the same subject names: only signatures tell them apart.
        DevCa rogue = DevCa.init(dir.resolve("rogue"), "cv.test", Duration.ofDays(1), true);
        X509Bundle bundle = new X509Bundle(TrustDomain.parse("cv.test"), Set.of(ca.root()));
        ChainValidator v = new ChainValidator();
        long now = System.currentTimeMillis();
        v.validate(chain(ca, "spiffe://cv.test/ns/a/sa/a", "a"), bundle, now); // caches the genuine intermediate
        X509Certificate forged = chain(rogue, "spiffe://cv.test/ns/a/sa/a", "forged")[0];
        SvidRejectedException e = assertThrows(SvidRejectedException.class,
                () -> v.validate(new X509Certificate[] {forged, ca.intermediate()}, bundle, now));
        assertEquals(FailureReason.UNTRUSTED_CHAIN, e.reason());
        SvidRejectedException e2 = assertThrows(SvidRejectedException.class,
                () -> v.validate(new X509Certificate[] {forged, rogue.intermediate()}, bundle, now));
        assertEquals(FailureReason.UNTRUSTED_CHAIN, e2.reason());
    }

    @Test
    void leafDirectlyUnderTheRootAndExpiredIntermediates() throws Exception {
        DevCa ca = DevCa.init(dir.resolve("ca"), "cv.test", Duration.ofDays(1), true);
        X509Bundle bundle = new X509Bundle(TrustDomain.parse("cv.test"), Set.of(ca.root()));
        ChainValidator v = new ChainValidator();
        Instant now = Instant.now();
        ca.issue(new DevCa.IssueSpec("spiffe://cv.test/ns/r/sa/r", now.minusSeconds(10), now.plusSeconds(600), false, false),
                dir.resolve("r"));
        List<X509Certificate> direct = Pem.readCertificates(SvidLayout.svid(dir.resolve("r")));
        assertEquals(1, direct.size());
        v.validate(direct.toArray(X509Certificate[]::new), bundle, now.toEpochMilli());
        assertEquals(0, v.fullValidations(), "a root-signed leaf is checked by hand against the anchor");
        // Validation at a time past the CA's lifetime fails as expired in full PKIX.
        X509Certificate[] a = chain(ca, "spiffe://cv.test/ns/a/sa/a", "a");
        SvidRejectedException e = assertThrows(SvidRejectedException.class,
                () -> new ChainValidator().validate(a, bundle, now.plus(Duration.ofDays(3)).toEpochMilli()));
        assertEquals(FailureReason.EXPIRED, e.reason());
    }
}
