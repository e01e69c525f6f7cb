package io.xdpmesh.crypto.tls;

import java.util.Arrays;

/**
 * The two transport keys of one session: initiator to responder, and responder to initiator. Each
 * side sends with one and receives with the other, as mirror images. {@link #destroy()} wipes
 * both once they are inside their ciphers.
 */
public final class DirectionalKeys implements AutoCloseable {
    private final byte[] initiatorToResponder;
    private final byte[] responderToInitiator;

    DirectionalKeys(byte[] initiatorToResponder, byte[] responderToInitiator) {
        this.initiatorToResponder = initiatorToResponder;
        this.responderToInitiator = responderToInitiator;
    }

    public byte[] initiatorToResponder() {
        return initiatorToResponder.clone();
    }

    public byte[] responderToInitiator() {
        return responderToInitiator.clone();
    }

    /** The key this side seals with. */
    public byte[] sendKey(boolean initiator) {
        return initiator ? initiatorToResponder() : responderToInitiator();
    }

    /** The key this side opens with. */
    public byte[] receiveKey(boolean initiator) {
        return initiator ? responderToInitiator() : initiatorToResponder();
    }

    public void destroy() {
        Arrays.fill(initiatorToResponder, (byte) 0);
        Arrays.fill(responderToInitiator, (byte) 0);
    }

    @Override
    public void close() {
        destroy();
    }

    @Override
    public String toString() {
        return "DirectionalKeys[redacted]";
    }
}
