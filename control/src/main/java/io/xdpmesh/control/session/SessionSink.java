package io.xdpmesh.control.session;

import io.xdpmesh.control.handshake.FailureReason;

/**
 * Where the handshake service delivers its outcomes; the dataplane integration implements it.
 * Both calls come from handshake threads (never the dataplane thread) and must not block for long:
 * an implementation publishes into the dataplane's lock-free structures (the receiver-index table,
 * the pair's {@code PeerKeypairs}, the auth cache) and returns.
 *
 * <p>{@link #install} is called on both sides: the initiator when the responder accepted, the
 * responder just before it sends its acceptance (so the responder can open the first packet the
 * initiator seals). {@link #failed} is called once per request that gave up (after retries), so
 * the held packets of the pair can be dropped and counted by reason.
 */
public interface SessionSink {
    void install(EstablishedSession session);

    /** {@link #install} with the pair's latency trace (the sink stamps QUEUED and hands on APPLIED). */
    default void install(EstablishedSession session, io.xdpmesh.control.handshake.HandshakeTrace trace) {
        install(session);
    }

    void failed(AuthRequest request, FailureReason reason, String detail);

    /** A sink that drops everything; for tools that only measure handshakes. */
    SessionSink DISCARD = new SessionSink() {
        @Override
        public void install(EstablishedSession session) {
            session.keypair().close();
        }

        @Override
        public void failed(AuthRequest request, FailureReason reason, String detail) {}
    };
}
