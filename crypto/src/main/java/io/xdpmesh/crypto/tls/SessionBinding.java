package io.xdpmesh.crypto.tls;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a transport session is bound to, fed to the TLS exporter as its context: the identity pair
 * (initiator first; the initiator is the agent that opened the TLS connection, the TLS client),
 * both receiver indexes, and a rekey epoch.
 *
 * <p>Both agents must build the same binding: each knows both identities from the handshake, picks
 * its own receiver index and learns the other's in a message on the TLS connection. The epoch
 * makes every rekey over the same TLS session export fresh keys even if both random indexes
 * happened to repeat.
 *
 * <p>Context encoding (all integers big-endian): {@code u16 len ‖ initiator identity (UTF-8) ‖
 * u16 len ‖ responder identity (UTF-8) ‖ u32 initiator index ‖ u32 responder index ‖ u64 epoch}.
 */
public record SessionBinding(String initiatorIdentity, String responderIdentity,
                             int initiatorIndex, int responderIndex, long epoch) {

    public SessionBinding {
        Objects.requireNonNull(initiatorIdentity, "initiatorIdentity");
        Objects.requireNonNull(responderIdentity, "responderIdentity");
        if (initiatorIndex == 0 || responderIndex == 0) {
            throw new IllegalArgumentException("receiver index 0 is never allocated");
        }
    }

    /** The exporter context bytes; see the class comment for the encoding. */
    public byte[] exporterContext() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        writeIdentity(out, initiatorIdentity);
        writeIdentity(out, responderIdentity);
        out.writeBytes(ByteBuffer.allocate(16).putInt(initiatorIndex).putInt(responderIndex).putLong(epoch).array());
        return out.toByteArray();
    }

    private static void writeIdentity(ByteArrayOutputStream out, String identity) {
        byte[] b = identity.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xffff) {
            throw new IllegalArgumentException("identity longer than 65535 bytes");
        }
        out.write(b.length >>> 8);
        out.write(b.length);
        out.writeBytes(b);
    }

    /** This side's receiver index (what the peer addresses messages to). */
    public int localIndex(boolean initiator) {
        return initiator ? initiatorIndex : responderIndex;
    }

    /** The peer's receiver index (what this side puts in its messages). */
    public int remoteIndex(boolean initiator) {
        return initiator ? responderIndex : initiatorIndex;
    }
}
