package io.xdpmesh.control.tls;

import io.xdpmesh.control.handshake.FailureReason;
import java.security.cert.CertificateException;

/** Thrown by the trust manager inside the TLS handshake; the reason survives in the cause chain. */
public final class SvidRejectedException extends CertificateException {
    private final FailureReason reason;

    public SvidRejectedException(FailureReason reason, String message) {
        super(reason.label() + ": " + message);
        this.reason = reason;
    }

    public FailureReason reason() { return reason; }

    /** The reason in {@code t}'s cause chain, or null. */
    public static FailureReason find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SvidRejectedException r) {
                return r.reason();
            }
            for (Throwable s : c.getSuppressed()) {
                if (s instanceof SvidRejectedException r) {
                    return r.reason();
                }
            }
        }
        return null;
    }
}
