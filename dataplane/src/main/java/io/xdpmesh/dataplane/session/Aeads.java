package io.xdpmesh.dataplane.session;

import io.xdpmesh.crypto.aead.PacketAead;
import io.xdpmesh.crypto.aead.PacketAeads;

/**
 * The one place that picks the ChaCha20-Poly1305 implementation for session keypairs: crypto's
 * per-packet factory ({@link PacketAeads#create}: the Vector API path below 1792 B, OpenSSL EVP
 * through FFM above, the JDK's cipher where neither is available).
 */
public final class Aeads {
    private Aeads() {}

    /**
     * {@link #create} as the one factory object every caller passes: each {@code Aeads::create}
     * written out is its own class, and a start-up warm-up through one of them left the agent's
     * key schedule to meet a second, which deoptimized it during the first real handshakes.
     */
    public static final java.util.function.Function<byte[], PacketAead> FACTORY = Aeads::create;

    public static PacketAead create(byte[] key32) {
        return PacketAeads.create(key32);
    }

    /** What {@link #create} returns on this machine, e.g. "java-vector<1792<=openssl-evp" ("jdk" allocates per packet). */
    public static String describe() {
        return Described.NAME;
    }

    private static final class Described {
        static final String NAME = PacketAeads.describe();
    }
}
