package io.xdpmesh.control.handshake;

import io.xdpmesh.control.tls.SvidRejectedException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLException;

/** Maps what went wrong on a connection to a {@link FailureReason}. */
final class Failures {
    private Failures() {}

    static FailureReason reasonOf(Throwable t) {
        if (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof HandshakeException h) {
            return h.reason();
        }
        FailureReason r = SvidRejectedException.find(t);
        if (r != null) {
            return r;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return FailureReason.CONNECT_FAILED;
            }
            if (c instanceof io.netty.handler.ssl.SslHandshakeTimeoutException) {
                // SslHandler's handshake timeout and the service's attempt timer share one
                // deadline; whichever fires first, the reason is the same.
                return FailureReason.TIMEOUT;
            }
            String m = String.valueOf(c.getMessage());
            if (c instanceof SSLException && m.contains("Received fatal alert")) {
                return FailureReason.PEER_REFUSED;
            }
            if (c instanceof SSLException && m.contains("Empty client certificate chain")) {
                return FailureReason.NOT_AN_SVID;
            }
            if (c instanceof ClosedChannelException) {
                return FailureReason.PEER_REFUSED;
            }
        }
        return FailureReason.TLS_ERROR;
    }

    static String detailOf(Throwable t) {
        if (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        StringBuilder sb = new StringBuilder(String.valueOf(t.getMessage()));
        Throwable c = t.getCause();
        if (c != null && c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
            sb.append(": ").append(c.getMessage());
        }
        return sb.toString();
    }
}
