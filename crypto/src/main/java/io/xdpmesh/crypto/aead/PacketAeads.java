package io.xdpmesh.crypto.aead;

/** Chooses the fastest {@link PacketAead} available on this machine (placeholder: vector only). */
public final class PacketAeads {
    private PacketAeads() {
    }

    public static PacketAead create(byte[] key32) {
        return new VectorPacketAead(key32);
    }
}
