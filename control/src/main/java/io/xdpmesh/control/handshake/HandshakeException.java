package io.xdpmesh.control.handshake;

/** A failed handshake with its reason; the message names the pair. */
public final class HandshakeException extends Exception {
    private final FailureReason reason;

    public HandshakeException(FailureReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public HandshakeException(FailureReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public FailureReason reason() { return reason; }
}
