package io.xdpmesh.control.tls;

import io.spiffe.spiffeid.SpiffeId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The SNI host name that asks a peer agent for one of its identities. A SPIFFE ID is not a DNS
 * name (slashes, up to 2048 bytes), so the name carries its SHA-256 in one base32 label:
 * {@code <52 base32 chars>.id.xdpmesh}. The server maps it back by hashing its own identities.
 * {@code xdpmesh ca sni --spiffe-id ...} prints it for openssl's -servername.
 */
public final class SniNames {
    public static final String SUFFIX = ".id.xdpmesh";
    private static final char[] B32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    private SniNames() {}

    public static String of(SpiffeId id) {
        return of(id.toString());
    }

    public static String of(String spiffeId) {
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-256").digest(spiffeId.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder sb = new StringBuilder(52 + SUFFIX.length());
        int buffer = 0;
        int bits = 0;
        for (byte b : h) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                sb.append(B32[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            sb.append(B32[(buffer << (5 - bits)) & 31]);
        }
        return sb.append(SUFFIX).toString();
    }

    public static boolean isIdentityName(String host) {
        return host != null && host.toLowerCase(Locale.ROOT).endsWith(SUFFIX);
    }
}
