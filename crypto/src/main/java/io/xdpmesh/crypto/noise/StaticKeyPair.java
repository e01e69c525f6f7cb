package io.xdpmesh.crypto.noise;

import io.xdpmesh.crypto.primitives.X25519;
import java.security.SecureRandom;
import java.util.Base64;

/** A WireGuard static Curve25519 key pair (the node's long-term identity for Noise). */
public final class StaticKeyPair {
    private final byte[] privateKey;
    private final byte[] publicKey;

    private StaticKeyPair(byte[] privateKey) {
        this.privateKey = privateKey;
        this.publicKey = X25519.publicKey(privateKey);
    }

    public static StaticKeyPair generate(SecureRandom random) {
        return new StaticKeyPair(X25519.generatePrivateKey(random));
    }

    /** From 32 raw private-key bytes (clamped here, as {@code wg} does). */
    public static StaticKeyPair fromPrivate(byte[] privateKey) {
        if (privateKey.length != X25519.KEY_BYTES) {
            throw new IllegalArgumentException("private key must be 32 bytes, got " + privateKey.length);
        }
        byte[] k = privateKey.clone();
        X25519.clamp(k);
        return new StaticKeyPair(k);
    }

    /** From the base64 text {@code wg genkey} prints. */
    public static StaticKeyPair fromBase64(String privateKey) {
        return fromPrivate(Base64.getDecoder().decode(privateKey.trim()));
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey);
    }

    public String privateKeyBase64() {
        return Base64.getEncoder().encodeToString(privateKey);
    }

    byte[] privateKeyRef() {
        return privateKey;
    }

    byte[] publicKeyRef() {
        return publicKey;
    }
}
