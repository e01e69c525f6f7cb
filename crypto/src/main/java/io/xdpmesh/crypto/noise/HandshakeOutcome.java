package io.xdpmesh.crypto.noise;

/**
 * The result of {@link NoiseHandshake#receive}: what to send back (if anything) and, when a
 * handshake completed, the session keys. Rejections carry the counted reason.
 */
public final class HandshakeOutcome {
    public enum Kind {
        /** Dropped; {@link #reason()} says why (already counted). */
        REJECTED,
        /** An initiation was accepted: send {@link #reply()} (a response); {@link #session()} holds the responder's keys. */
        SEND_RESPONSE,
        /** Under load without a valid MAC2: send {@link #reply()} (a cookie reply); reason is COOKIE_NEEDED. */
        SEND_COOKIE_REPLY,
        /** A response completed our initiation: {@link #session()} holds the initiator's keys. */
        SESSION_ESTABLISHED,
        /** A cookie reply was stored; the next initiation to that peer carries MAC2. */
        COOKIE_STORED,
    }

    private final Kind kind;
    private final RejectReason reason;
    private final byte[] reply;
    private final SessionKeys session;
    private final NoisePeer peer;

    private HandshakeOutcome(Kind kind, RejectReason reason, byte[] reply, SessionKeys session, NoisePeer peer) {
        this.kind = kind;
        this.reason = reason;
        this.reply = reply;
        this.session = session;
        this.peer = peer;
    }

    static HandshakeOutcome rejected(RejectReason reason) {
        return new HandshakeOutcome(Kind.REJECTED, reason, null, null, null);
    }

    static HandshakeOutcome cookieReply(byte[] reply) {
        return new HandshakeOutcome(Kind.SEND_COOKIE_REPLY, RejectReason.COOKIE_NEEDED, reply, null, null);
    }

    static HandshakeOutcome response(NoisePeer peer, byte[] reply, SessionKeys session) {
        return new HandshakeOutcome(Kind.SEND_RESPONSE, null, reply, session, peer);
    }

    static HandshakeOutcome established(NoisePeer peer, SessionKeys session) {
        return new HandshakeOutcome(Kind.SESSION_ESTABLISHED, null, null, session, peer);
    }

    static HandshakeOutcome cookieStored(NoisePeer peer) {
        return new HandshakeOutcome(Kind.COOKIE_STORED, null, null, null, peer);
    }

    public Kind kind() {
        return kind;
    }

    public RejectReason reason() {
        return reason;
    }

    /** The message to send back to the source, or null. */
    public byte[] reply() {
        return reply == null ? null : reply.clone();
    }

    public SessionKeys session() {
        return session;
    }

    public NoisePeer peer() {
        return peer;
    }

    @Override
    public String toString() {
        return "HandshakeOutcome[" + kind + (reason != null ? " " + reason : "") + (session != null ? " " + session : "") + "]";
    }
}
