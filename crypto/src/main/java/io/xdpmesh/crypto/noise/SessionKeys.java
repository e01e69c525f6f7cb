package io.xdpmesh.crypto.noise;

import java.util.Arrays;

/**
 * What a completed handshake hands to the transport layer: the two directional ChaCha20-Poly1305
 * keys and both sender indexes. Immutable: accessors return copies.
 *
 * <p>{@code localIndex} is the receiver index the peer puts in type-4 messages to us; {@code
 * remoteIndex} is the one we put in ours. The initiator must not send transport data before the
 * responder has confirmed the keys, and the responder must not send before it received the
 * initiator's first transport message (WireGuard's key confirmation); {@link #initiator()} tells
 * which side this is.
 */
public final class SessionKeys {
    private final int localIndex;
    private final int remoteIndex;
    private final byte[] sendKey;
    private final byte[] receiveKey;
    private final boolean initiator;
    private final byte[] remoteStatic;

    SessionKeys(int localIndex, int remoteIndex, byte[] sendKey, byte[] receiveKey, boolean initiator, byte[] remoteStatic) {
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
        this.sendKey = sendKey.clone();
        this.receiveKey = receiveKey.clone();
        this.initiator = initiator;
        this.remoteStatic = remoteStatic.clone();
    }

    public int localIndex() {
        return localIndex;
    }

    public int remoteIndex() {
        return remoteIndex;
    }

    public byte[] sendKey() {
        return sendKey.clone();
    }

    public byte[] receiveKey() {
        return receiveKey.clone();
    }

    public boolean initiator() {
        return initiator;
    }

    public byte[] remoteStatic() {
        return remoteStatic.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionKeys s && s.localIndex == localIndex && s.remoteIndex == remoteIndex
                && s.initiator == initiator && Arrays.equals(s.sendKey, sendKey)
                && Arrays.equals(s.receiveKey, receiveKey) && Arrays.equals(s.remoteStatic, remoteStatic);
    }

    @Override
    public int hashCode() {
        return 31 * localIndex + remoteIndex;
    }

    /** Never prints key material. */
    @Override
    public String toString() {
        return "SessionKeys[local=" + Integer.toUnsignedString(localIndex) + ", remote="
                + Integer.toUnsignedString(remoteIndex) + ", initiator=" + initiator + "]";
    }
}
