package io.xdpmesh.crypto.tls;

import io.xdpmesh.crypto.aead.PacketAead;
import io.xdpmesh.crypto.aead.PacketMac;
import io.xdpmesh.crypto.transport.Keypair;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;
import javax.crypto.KDF;
import javax.crypto.SecretKey;
import javax.crypto.spec.HKDFParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLKeyException;
import javax.net.ssl.SSLSession;

/**
 * Transport keys from a TLS 1.3 session between two agents (RFC 8446 §7.5 exporter), never from a
 * file.
 *
 * <pre>
 *   secret = TLS-Exporter(label = "EXPORTER-xdpmesh-wireguard-v1",
 *                         context = SessionBinding.exporterContext(), length = 32)
 *   key(initiator -> responder) = HKDF-Expand-SHA256(secret, "xdpmesh wireguard i2r", 32)
 *   key(responder -> initiator) = HKDF-Expand-SHA256(secret, "xdpmesh wireguard r2i", 32)
 * </pre>
 *
 * The context binds the identity pair, both receiver indexes and the rekey epoch (see
 * {@link SessionBinding}), so keys cannot be replayed into another pair, another session slot or
 * another rekey. Both agents compute the same secret; each takes the two keys by its role, so
 * one's sending key is the other's receiving key. The control plane calls
 * {@link #export(SSLSession, SessionBinding)} on JDK 25's
 * {@link ExtendedSSLSession#exportKeyingMaterialData}.
 */
public final class ExporterKeySchedule {
    private ExporterKeySchedule() {}

    public static final String EXPORTER_LABEL = "EXPORTER-xdpmesh-wireguard-v1";
    public static final int SECRET_BYTES = 32;
    static final byte[] INFO_I2R = "xdpmesh wireguard i2r".getBytes(StandardCharsets.US_ASCII);
    static final byte[] INFO_R2I = "xdpmesh wireguard r2i".getBytes(StandardCharsets.US_ASCII);

    /** The exporter secret of a TLS 1.3 session for {@code binding}. */
    public static byte[] exporterSecret(SSLSession session, SessionBinding binding) throws SSLKeyException {
        if (!(session instanceof ExtendedSSLSession ext)) {
            throw new SSLKeyException("session cannot export keying material: " + session.getClass().getName());
        }
        if (!"TLSv1.3".equals(session.getProtocol())) {
            throw new SSLKeyException("TLS 1.3 required for the exporter, session is " + session.getProtocol());
        }
        byte[] secret = ext.exportKeyingMaterialData(EXPORTER_LABEL, binding.exporterContext(), SECRET_BYTES);
        if (secret == null || secret.length != SECRET_BYTES) {
            throw new SSLKeyException("exporter returned no keying material");
        }
        return secret;
    }

    /** Exports and derives in one step: the two directional keys for {@code binding}. */
    public static DirectionalKeys export(SSLSession session, SessionBinding binding) throws SSLKeyException {
        byte[] secret = exporterSecret(session, binding);
        try {
            return derive(secret);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** The two directional keys from a 32-byte exporter secret. */
    public static DirectionalKeys derive(byte[] exporterSecret) {
        if (exporterSecret.length != SECRET_BYTES) {
            throw new IllegalArgumentException("exporter secret must be " + SECRET_BYTES + " bytes");
        }
        try {
            KDF hkdf = KDF.getInstance("HKDF-SHA256");
            SecretKey prk = new SecretKeySpec(exporterSecret, "HKDF");
            byte[] i2r = hkdf.deriveData(HKDFParameterSpec.expandOnly(prk, INFO_I2R, PacketAead.KEY_BYTES));
            byte[] r2i = hkdf.deriveData(HKDFParameterSpec.expandOnly(prk, INFO_R2I, PacketAead.KEY_BYTES));
            return new DirectionalKeys(i2r, r2i);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HKDF-SHA256 unavailable", e);
        }
    }

    /**
     * A keypair for this side of the session: ciphers built by {@code aeads} (for example the fast
     * implementation's factory, or {@code JdkPacketAead::new}), indexes taken from the binding by
     * role. The key bytes handed to {@code aeads} are wiped afterwards; the caller still owns
     * {@code keys}.
     */
    public static Keypair keypair(DirectionalKeys keys, SessionBinding binding, boolean initiator,
                                  Function<byte[], ? extends PacketAead> aeads, long nowNanos) {
        return keypair(keys, binding, initiator, aeads, nowNanos, 1);
    }

    /**
     * As {@link #keypair(DirectionalKeys, SessionBinding, boolean, Function, long)} for a dataplane
     * of {@code lanes} threads: one sending cipher and MAC per thread, and with more than one lane
     * the receive side split into {@link Keypair#MAX_LANES} windows (see {@link Keypair}).
     */
    public static Keypair keypair(DirectionalKeys keys, SessionBinding binding, boolean initiator,
                                  Function<byte[], ? extends PacketAead> aeads, long nowNanos, int lanes) {
        Objects.requireNonNull(aeads, "aeads");
        byte[] send = keys.sendKey(initiator);
        byte[] receive = keys.receiveKey(initiator);
        try {
            PacketAead[] senders = new PacketAead[lanes];
            PacketMac[] macs = new PacketMac[lanes];
            PacketAead[] receivers = new PacketAead[lanes];
            PacketMac[] receiveMacs = new PacketMac[lanes];
            for (int l = 0; l < lanes; l++) {
                senders[l] = aeads.apply(send);
                macs[l] = new PacketMac(send);
                receivers[l] = aeads.apply(receive);
                receiveMacs[l] = new PacketMac(receive);
            }
            return new Keypair(senders, receivers, macs, receiveMacs,
                    lanes == 1 ? 1 : Keypair.MAX_LANES, binding.localIndex(initiator), binding.remoteIndex(initiator),
                    initiator, nowNanos);
        } finally {
            Arrays.fill(send, (byte) 0);
            Arrays.fill(receive, (byte) 0);
        }
    }
}
