package io.xdpmesh.crypto.noise;

import io.xdpmesh.crypto.primitives.X25519;
import java.util.Arrays;
import java.util.Base64;

/**
 * One configured remote static key, with its optional pre-shared key and the per-peer handshake
 * state: the handshake in flight, the newest TAI64N accepted from it (replay protection), when its
 * last initiation was consumed (flood protection) and its cookie state. Guarded by the owning
 * {@link NoiseHandshake}'s lock.
 */
public final class NoisePeer {
    enum State { NONE, INITIATION_CREATED, INITIATION_CONSUMED }

    private final byte[] remoteStatic;
    final byte[] psk;
    /** DH(local static, remote static), computed once; null when the remote key is a low-order point. */
    final byte[] staticStatic;
    final CookieGenerator cookies;

    State state = State.NONE;
    byte[] hash;
    byte[] chainKey;
    byte[] localEphemeral;
    byte[] remoteEphemeral;
    int localIndex;
    int remoteIndex;

    final byte[] lastTimestamp = new byte[WireGuard.TIMESTAMP_BYTES];
    long lastInitiationNanos;
    boolean consumedAnyInitiation;

    NoisePeer(byte[] remoteStatic, byte[] psk, byte[] localPrivate, HandshakeClock clock) {
        this.remoteStatic = remoteStatic.clone();
        this.psk = psk == null ? new byte[WireGuard.KEY_BYTES] : psk.clone();
        this.staticStatic = X25519.scalarMult(localPrivate, this.remoteStatic);
        this.cookies = new CookieGenerator(this.remoteStatic, clock);
    }

    public byte[] publicKey() {
        return remoteStatic.clone();
    }

    byte[] publicKeyRef() {
        return remoteStatic;
    }

    /** True when a cookie reply from this peer is held, so our next message carries a MAC2. */
    public synchronized boolean hasFreshCookie() {
        return cookies.hasFreshCookie();
    }

    void clearHandshake() {
        wipe(hash);
        wipe(chainKey);
        wipe(localEphemeral);
        hash = chainKey = localEphemeral = remoteEphemeral = null;
        state = State.NONE;
    }

    private static void wipe(byte[] b) {
        if (b != null) {
            Arrays.fill(b, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "NoisePeer[" + Base64.getEncoder().encodeToString(remoteStatic) + "]";
    }
}
