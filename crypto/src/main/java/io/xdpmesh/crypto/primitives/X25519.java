package io.xdpmesh.crypto.primitives;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * X25519 (RFC 7748) on raw 32-byte little-endian strings, through the JDK's XDH provider. The
 * handshake uses it a handful of times per session, so the JCA object overhead does not matter.
 */
public final class X25519 {
    public static final int KEY_BYTES = 32;
    private static final BigInteger P = BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));
    private static final byte[] BASE_POINT = new byte[KEY_BYTES];

    static {
        BASE_POINT[0] = 9;
    }

    private X25519() {}

    /** A fresh private key: 32 random bytes, clamped as RFC 7748 §5 describes. */
    public static byte[] generatePrivateKey(SecureRandom random) {
        byte[] k = new byte[KEY_BYTES];
        random.nextBytes(k);
        clamp(k);
        return k;
    }

    public static void clamp(byte[] k) {
        k[0] &= (byte) 248;
        k[31] &= 127;
        k[31] |= 64;
    }

    public static byte[] publicKey(byte[] privateKey) {
        byte[] out = scalarMult(privateKey, BASE_POINT);
        if (out == null) {
            throw new IllegalStateException("X25519 base point multiplication gave zero");
        }
        return out;
    }

    /**
     * X25519(k, u). Returns null when the result is all zero (u is a low-order point), which
     * WireGuard treats as a failed handshake.
     */
    public static byte[] scalarMult(byte[] scalar, byte[] u) {
        if (scalar.length != KEY_BYTES || u.length != KEY_BYTES) {
            throw new IllegalArgumentException("X25519 scalar and point must be 32 bytes");
        }
        try {
            KeyFactory kf = KeyFactory.getInstance("XDH");
            PrivateKey priv = kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar.clone()));
            PublicKey pub = kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, decodeU(u)));
            KeyAgreement ka = KeyAgreement.getInstance("X25519");
            ka.init(priv);
            ka.doPhase(pub, true);
            byte[] out = ka.generateSecret();
            return isZero(out) ? null : out;
        } catch (InvalidKeyException e) {
            return null; // the JDK refuses small-order points with this exception
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK X25519 unavailable", e);
        }
    }

    /** RFC 7748 §5: ignore the top bit, then accept non-canonical values by reducing mod p. */
    private static BigInteger decodeU(byte[] u) {
        byte[] be = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES; i++) {
            be[i] = u[KEY_BYTES - 1 - i];
        }
        be[0] &= 0x7f;
        return new BigInteger(1, be).mod(P);
    }

    public static boolean isZero(byte[] b) {
        int acc = 0;
        for (byte x : b) {
            acc |= x;
        }
        return acc == 0;
    }
}
