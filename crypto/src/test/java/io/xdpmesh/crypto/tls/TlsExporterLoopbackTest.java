package io.xdpmesh.crypto.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.xdpmesh.crypto.aead.JdkPacketAead;
import io.xdpmesh.crypto.transport.Keypair;
import io.xdpmesh.crypto.transport.OpenStatus;
import io.xdpmesh.crypto.transport.TransportData;
import io.xdpmesh.crypto.transport.TransportOpener;
import io.xdpmesh.crypto.transport.TransportSealer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/**
 * A real TLS 1.3 mutual-auth connection between two JDK SSLSockets on loopback: both sides export,
 * derive mirrored keys, and a message sealed on one side opens on the other.
 */
class TlsExporterLoopbackTest {
    private static final char[] PW = "test".toCharArray();
    private static final String ID_A = "spiffe://xdpmesh.test/ns/a/sa/client";
    private static final String ID_B = "spiffe://xdpmesh.test/ns/b/sa/server";

    record Identity(KeyPair keys, X509Certificate cert) {}

    static Identity selfSigned(String spiffeId) throws Exception {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
        kpg.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = kpg.generateKeyPair();
        X500Name name = new X500Name("CN=" + spiffeId.substring(spiffeId.lastIndexOf('/') + 1));
        long now = System.currentTimeMillis();
        var builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
                new Date(now - 60_000), new Date(now + 3_600_000), name, kp.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId)));
        var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate());
        return new Identity(kp, new JcaX509CertificateConverter().getCertificate(builder.build(signer)));
    }

    static SSLContext context(Identity me, X509Certificate trusted) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("me", me.keys().getPrivate(), PW, new Certificate[] {me.cert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, PW);
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("peer", trusted);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
        return ctx;
    }

    /** The peer's SPIFFE ID from its certificate's URI SAN. */
    static String peerIdentity(SSLSession s) throws Exception {
        X509Certificate peer = (X509Certificate) s.getPeerCertificates()[0];
        for (List<?> san : peer.getSubjectAlternativeNames()) {
            if ((Integer) san.get(0) == 6) {
                return (String) san.get(1);
            }
        }
        throw new IllegalStateException("no URI SAN");
    }

    /** Result of one side: its binding and keys, plus a second export with another epoch. */
    record Side(SessionBinding binding, DirectionalKeys keys, DirectionalKeys nextEpoch, String protocol) {}

    @Test
    void bothSidesDeriveMirroredKeysAndSealedMessagesOpenAcross() throws Exception {
        Identity a = selfSigned(ID_A);
        Identity b = selfSigned(ID_B);
        SSLContext clientCtx = context(a, b.cert());
        SSLContext serverCtx = context(b, a.cert());
        int clientIndex = 0x1111_0001;
        int serverIndex = 0x2222_0002;

        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (SSLServerSocket ss = (SSLServerSocket) serverCtx.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ss.setNeedClientAuth(true);
            ss.setEnabledProtocols(new String[] {"TLSv1.3"});
            Future<Side> server = pool.submit(() -> {
                try (SSLSocket s = (SSLSocket) ss.accept()) {
                    s.setSoTimeout(30_000);
                    s.startHandshake();
                    // The small index exchange: the initiator's index arrives, ours goes back.
                    int theirs = new DataInputStream(s.getInputStream()).readInt();
                    new DataOutputStream(s.getOutputStream()).writeInt(serverIndex);
                    SSLSession session = s.getSession();
                    SessionBinding binding = new SessionBinding(peerIdentity(session), ID_B, theirs, serverIndex, 1);
                    return new Side(binding, ExporterKeySchedule.export(session, binding),
                            ExporterKeySchedule.export(session, new SessionBinding(
                                    binding.initiatorIdentity(), ID_B, theirs, serverIndex, 2)),
                            session.getProtocol());
                }
            });
            Side client;
            try (SSLSocket s = (SSLSocket) clientCtx.getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), ss.getLocalPort())) {
                s.setSoTimeout(30_000);
                s.setEnabledProtocols(new String[] {"TLSv1.3"});
                s.startHandshake();
                new DataOutputStream(s.getOutputStream()).writeInt(clientIndex);
                int theirs = new DataInputStream(s.getInputStream()).readInt();
                SSLSession session = s.getSession();
                SessionBinding binding = new SessionBinding(ID_A, peerIdentity(session), clientIndex, theirs, 1);
                client = new Side(binding, ExporterKeySchedule.export(session, binding),
                        ExporterKeySchedule.export(session, new SessionBinding(ID_A, binding.responderIdentity(),
                                clientIndex, theirs, 2)),
                        session.getProtocol());
            }
            Side srv = server.get(60, TimeUnit.SECONDS);

            assertEquals("TLSv1.3", client.protocol());
            assertEquals("TLSv1.3", srv.protocol());
            assertEquals(client.binding(), srv.binding(), "both sides bind the same identities and indexes");
            assertArrayEquals(client.keys().initiatorToResponder(), srv.keys().initiatorToResponder());
            assertArrayEquals(client.keys().responderToInitiator(), srv.keys().responderToInitiator());
            assertArrayEquals(client.keys().sendKey(true), srv.keys().receiveKey(false), "mirrored");
            assertArrayEquals(client.keys().receiveKey(true), srv.keys().sendKey(false), "mirrored");
            assertFalse(Arrays.equals(client.keys().initiatorToResponder(), client.keys().responderToInitiator()));
            assertArrayEquals(client.nextEpoch().initiatorToResponder(), srv.nextEpoch().initiatorToResponder());
            assertFalse(Arrays.equals(client.keys().initiatorToResponder(), client.nextEpoch().initiatorToResponder()),
                    "another epoch exports other keys");

            long now = 1_000L;
            Keypair init = ExporterKeySchedule.keypair(client.keys(), client.binding(), true, JdkPacketAead::new, now);
            Keypair resp = ExporterKeySchedule.keypair(srv.keys(), srv.binding(), false, JdkPacketAead::new, now);
            assertEquals(clientIndex, init.localIndex());
            assertEquals(serverIndex, init.remoteIndex());
            assertEquals(serverIndex, resp.localIndex());
            roundTrip(init, resp, now);
            roundTrip(resp, init, now);

            // A side that bound another identity pair derives other keys: nothing opens.
            SessionBinding wrong = new SessionBinding(ID_B, ID_A, clientIndex, serverIndex, 1);
            assertFalse(Arrays.equals(client.keys().initiatorToResponder(),
                    ExporterKeySchedule.derive(new byte[32]).initiatorToResponder()));
            Keypair stranger = ExporterKeySchedule.keypair(client.nextEpoch(), wrong, false, JdkPacketAead::new, now);
            MemorySegment seg = MemorySegment.ofArray(new byte[128]);
            int n = new TransportSealer().sealKeepalive(init, seg, 0, now);
            assertEquals(-OpenStatus.AUTH_FAILED, new TransportOpener().open(stranger, seg, 0, n, now));
        } finally {
            pool.shutdownNow();
            assertFalse(!pool.awaitTermination(30, TimeUnit.SECONDS), "server thread ended");
        }
    }

    private static void roundTrip(Keypair from, Keypair to, long now) {
        MemorySegment seg = MemorySegment.ofArray(new byte[256]);
        seg.set(ValueLayout.JAVA_BYTE, 16, (byte) 0x45);
        seg.set(ValueLayout.JAVA_BYTE, 16 + 3, (byte) 84);
        for (int i = 4; i < 84; i++) {
            seg.set(ValueLayout.JAVA_BYTE, 16 + i, (byte) i);
        }
        int n = new TransportSealer().seal(from, seg, 0, 84, 1420, now);
        assertEquals(TransportData.messageLength(84, 1420), n);
        assertEquals(84, new TransportOpener().open(to, seg, 0, n, now));
        assertEquals((byte) 83, seg.get(ValueLayout.JAVA_BYTE, 16 + 83));
    }
}
