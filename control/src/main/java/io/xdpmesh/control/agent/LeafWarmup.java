package io.xdpmesh.control.agent;

import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.ca.DevCa;
import io.xdpmesh.control.identity.IdentityStore;
import io.xdpmesh.control.tls.ChainValidator;
import io.xdpmesh.control.tls.PeerVerifier;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * What a handshake does with a peer certificate it has never seen, on fresh leaves: parse the DER
 * (the JDK's X.509 factory, as SunJSSE's Certificate message does), verify it as an SVID (chain to
 * the bundle, SPIFFE ID, validity, node binding) and check a signature with its key (the
 * CertificateVerify, where the provider first translates the key). The TLS warm-up cannot reach
 * this: within one JVM the factory caches every certificate by its encoding, so its few
 * identities are parsed once each, and every real pair, whose certificates are all new, ran the
 * parser in the interpreter (JFR: ~10 % of each side's handshake thread, the verifier ~10 % more).
 */
final class LeafWarmup {
    private static final byte[] SIGNED = "xdpmesh leaf warm-up".getBytes(StandardCharsets.US_ASCII);

    private LeafWarmup() {}

    /** Up to {@code leaves} fresh leaves or until {@code endNanos}; returns how many were checked. */
    static int run(DevCa ca, IdentityStore store, SpiffeId id, int leaves, long endNanos) throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        PeerVerifier verifier = new PeerVerifier(store, new ChainValidator(), (peer, node) -> node.equals(lo));
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        DevCa.IssueSpec spec = DevCa.IssueSpec.valid(id.toString(), Duration.ofHours(1));
        int done = 0;
        while (done < leaves && System.nanoTime() < endNanos) {
            KeyPair keys = DevCa.newKeyPair();
            List<X509Certificate> issued = ca.chain(spec, keys);
            X509Certificate[] chain = new X509Certificate[issued.size()];
            for (int i = 0; i < chain.length; i++) {
                chain[i] = (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(issued.get(i).getEncoded()));
            }
            if (!verifier.verify(chain, id, lo, System.currentTimeMillis()).equals(id)) {
                throw new IllegalStateException("leaf warm-up: verifier returned another identity");
            }
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(keys.getPrivate());
            signer.update(SIGNED);
            byte[] sig = signer.sign();
            Signature check = Signature.getInstance("SHA256withECDSA");
            check.initVerify(chain[0].getPublicKey());
            check.update(SIGNED);
            if (!check.verify(sig)) {
                throw new IllegalStateException("leaf warm-up: signature did not verify");
            }
            done++;
        }
        return done;
    }
}
