package io.xdpmesh.crypto.aead;

import java.lang.System.Logger.Level;

/**
 * Picks the fastest {@link PacketAead} on this machine. Measured (per-thread CPU time, 2-core AVX-512
 * Xeon, OpenSSL 3.0, after the 8-lane Poly1305): the pure-Java vector path costs ~145 ns + 0.39 ns/B
 * and wins up to ~1900 bytes (seal 1420 B: 660 ns vs 960 ns through EVP), where libcrypto's
 * per-packet set-up (re-init, Final, GET_TAG: ~450 ns) dominates; OpenSSL's assembly (0.16 ns/B)
 * wins above (2048 B: 865 vs 940 ns; 4096 B: 1390 vs 1720 ns). Both produce identical bytes, so a
 * session may route each packet by its length.
 */
public final class PacketAeads {
    /** Packets shorter than this go to the Java vector path when both paths are available. */
    public static final int VECTOR_BELOW = 1792;

    private PacketAeads() {
    }

    public static PacketAead create(byte[] key32) {
        boolean vector = VectorPacketAead.supported();
        boolean evp = OpenSslPacketAead.available();
        if (vector && evp) {
            return new VectorPacketAead(key32, new OpenSslPacketAead(key32), VECTOR_BELOW);
        }
        if (evp) {
            return new OpenSslPacketAead(key32);
        }
        System.getLogger(PacketAeads.class.getName()).log(Level.WARNING,
                "ChaCha20-Poly1305 falls back to the Java vector path only: " + OpenSslPacketAead.unavailableReason());
        if (vector) {
            return new VectorPacketAead(key32);
        }
        System.getLogger(PacketAeads.class.getName()).log(Level.WARNING,
                "no 512-bit Vector API and no libcrypto: using the JDK's allocating ChaCha20-Poly1305");
        return new JdkPacketAead(key32);
    }

    /** What {@link #create} would return on this machine, e.g. "java-vector<1792<=openssl-evp". */
    public static String describe() {
        try (PacketAead a = create(new byte[PacketAead.KEY_BYTES])) {
            return a.implementation();
        }
    }
}
