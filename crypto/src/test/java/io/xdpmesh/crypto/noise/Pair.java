package io.xdpmesh.crypto.noise;

import java.net.InetSocketAddress;
import java.security.SecureRandom;

/** Two handshake endpoints that know each other, on a shared fake clock. */
final class Pair {
    static final byte[] SRC_A = NoiseHandshake.sourceKey(new InetSocketAddress("10.1.0.1", 51871));
    static final byte[] SRC_B = NoiseHandshake.sourceKey(new InetSocketAddress("10.1.0.2", 51871));

    final FakeClock clock = new FakeClock();
    final SecureRandom random = new SecureRandom();
    final StaticKeyPair keyA = StaticKeyPair.generate(random);
    final StaticKeyPair keyB = StaticKeyPair.generate(random);
    final NoiseHandshake a = new NoiseHandshake(keyA, random, clock);
    final NoiseHandshake b = new NoiseHandshake(keyB, random, clock);
    final NoisePeer bAtA;
    final NoisePeer aAtB;

    Pair(byte[] pskAtA, byte[] pskAtB) {
        bAtA = a.addPeer(keyB.publicKey(), pskAtA);
        aAtB = b.addPeer(keyA.publicKey(), pskAtB);
    }

    Pair() {
        this(null, null);
    }

    /** Re-computes MAC1 (keyed for the receiver) so a tampered body reaches the AEAD checks. */
    static void remac1(byte[] msg, byte[] receiverPublic) {
        int at = msg.length - 32;
        byte[] mac = Macs.mac(Macs.labelKey(WireGuard.LABEL_MAC1, receiverPublic), msg, 0, at);
        System.arraycopy(mac, 0, msg, at, 16);
    }
}
