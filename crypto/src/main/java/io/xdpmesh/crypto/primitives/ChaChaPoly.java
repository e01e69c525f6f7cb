package io.xdpmesh.crypto.primitives;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ChaCha20-Poly1305 with associated data through the JDK, for handshake messages (a few per
 * session). A new Cipher per call: the JDK refuses to re-init one with the same key and nonce,
 * and the handshake uses nonce 0 under a fresh key each time.
 */
public final class ChaChaPoly {
    public static final int TAG_BYTES = 16;

    private ChaChaPoly() {}

    /** WireGuard's handshake nonce: 4 zero bytes ‖ counter little-endian. */
    public static byte[] nonce(long counter) {
        byte[] n = new byte[12];
        for (int i = 0; i < 8; i++) {
            n[4 + i] = (byte) (counter >>> (8 * i));
        }
        return n;
    }

    public static byte[] seal(byte[] key, byte[] nonce12, byte[] plaintext, byte[] aad) {
        try {
            Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce12));
            if (aad != null) {
                c.updateAAD(aad);
            }
            return c.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 seal failed", e);
        }
    }

    /** Returns the plaintext, or null when the ciphertext is shorter than a tag or the tag is wrong. */
    public static byte[] open(byte[] key, byte[] nonce12, byte[] ciphertext, byte[] aad) {
        if (ciphertext.length < TAG_BYTES) {
            return null;
        }
        try {
            Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce12));
            if (aad != null) {
                c.updateAAD(aad);
            }
            return c.doFinal(ciphertext);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 open failed", e);
        }
    }
}
