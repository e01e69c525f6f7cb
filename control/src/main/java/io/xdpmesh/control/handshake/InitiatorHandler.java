package io.xdpmesh.control.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.xdpmesh.control.session.AuthRequest;
import io.xdpmesh.control.session.EstablishedSession;
import io.xdpmesh.control.tls.ConnectionContext;
import io.xdpmesh.crypto.tls.SessionBinding;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The initiator's side of one pair's connection: after TLS (the trust manager verified the
 * responder is exactly the identity asked for, on the expected node), HELLO with a fresh index and
 * the epoch; on ACCEPT the keys are exported. Later exchanges (rekeys) reuse the connection with
 * a higher epoch. One exchange at a time; all state lives on the channel's event loop.
 */
final class InitiatorHandler extends ChannelInboundHandlerAdapter {
    private final Parts parts;
    private final AuthRequest request;
    private final ConnectionContext ctx;
    private final SslHandler ssl;
    private final Consumer<AuthRequest> reauth;
    private final Consumer<InitiatorHandler> onEstablished;
    private Channel channel;
    private boolean tlsDone;
    private long epoch;
    private int localIndex;
    private CompletableFuture<EstablishedSession> pending;
    private HandshakeTrace trace;

    InitiatorHandler(Parts parts, AuthRequest request, ConnectionContext ctx, SslHandler ssl,
                     CompletableFuture<EstablishedSession> first, HandshakeTrace trace, Consumer<AuthRequest> reauth,
                     Consumer<InitiatorHandler> onEstablished) {
        this.trace = trace;
        this.onEstablished = onEstablished;
        this.parts = parts;
        this.request = request;
        this.ctx = ctx;
        this.ssl = ssl;
        this.pending = first;
        this.epoch = 1;
        this.reauth = reauth;
    }

    Channel channel() {
        return channel;
    }

    boolean usable() {
        return channel != null && channel.isActive() && tlsDone;
    }

    /** Starts a rekey (epoch + 1) on this connection; runs on the event loop. */
    void rekey(CompletableFuture<EstablishedSession> f) {
        channel.eventLoop().execute(() -> {
            if (pending != null || !usable()) {
                f.completeExceptionally(new HandshakeException(FailureReason.PROTOCOL_ERROR,
                        request + ": connection busy or closed"));
                return;
            }
            pending = f;
            epoch++;
            sendHello(channel);
        });
    }

    @Override
    public void handlerAdded(ChannelHandlerContext c) {
        channel = c.channel();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext c, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent e) {
            ConnectionContext.release(ssl.engine());
            if (!e.isSuccess()) {
                fail(new HandshakeException(Failures.reasonOf(e.cause()), request + ": " + Failures.detailOf(e.cause()), e.cause()));
                c.close();
            } else if (ctx.verifiedPeer() == null || !ctx.verifiedPeer().equals(request.pair().remote())) {
                fail(new HandshakeException(FailureReason.PROTOCOL_ERROR, request + ": peer not verified by this agent"));
                c.close();
            } else {
                tlsDone = true;
                if (trace != null) {
                    trace.mark(HandshakeTrace.Stage.TLS_DONE);
                }
                sendHello(c.channel());
            }
        }
        super.userEventTriggered(c, evt);
    }

    private void sendHello(Channel ch) {
        localIndex = parts.indexes().allocate();
        ch.writeAndFlush(MeshMessages.hello(ch.alloc(), new MeshMessages.Hello(epoch, localIndex,
                request.pair().local().toString(), request.pair().remote().toString())));
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            Object m = MeshMessages.parse(frame);
            switch (m) {
                case MeshMessages.Accept a -> onAccept(c, a);
                case MeshMessages.Refuse r -> {
                    fail(new HandshakeException(FailureReason.PEER_REFUSED, request + ": peer refused: "
                            + r.reason().label() + " (" + r.detail() + ")"));
                    c.close();
                }
                case MeshMessages.Reauth r -> reauth.accept(request);
                default -> {
                    fail(new HandshakeException(FailureReason.PROTOCOL_ERROR, request + ": unexpected " + m));
                    c.close();
                }
            }
        } catch (MeshMessages.BadMessage e) {
            fail(new HandshakeException(FailureReason.PROTOCOL_ERROR, request + ": " + e.getMessage()));
            c.close();
        } finally {
            frame.release();
        }
    }

    private void onAccept(ChannelHandlerContext c, MeshMessages.Accept a) {
        CompletableFuture<EstablishedSession> f = pending;
        if (f == null || a.epoch() != epoch || a.responderIndex() == 0) {
            fail(new HandshakeException(FailureReason.PROTOCOL_ERROR, request + ": ACCEPT for epoch " + a.epoch()
                    + " (expected " + epoch + ") or index 0"));
            c.close();
            return;
        }
        pending = null;
        HandshakeTrace tr = trace;
        trace = null; // rekeys on this connection are not first packets
        if (tr != null) {
            tr.mark(HandshakeTrace.Stage.ACCEPTED);
        }
        try {
            SessionBinding binding = new SessionBinding(request.pair().local().toString(), request.pair().remote().toString(),
                    localIndex, a.responderIndex(), epoch);
            EstablishedSession s = SessionFactory.build(ssl.engine().getSession(), ctx, binding, true, request.pair(),
                    request.peerAgent(), parts.aeads());
            if (tr != null) {
                tr.mark(HandshakeTrace.Stage.KEYS);
            }
            if (epoch == 1) {
                onEstablished.accept(this); // registered for rekeys before anyone sees the session
            }
            if (!f.complete(s)) {
                s.keypair().close(); // the attempt timed out meanwhile
                parts.indexes().release(localIndex);
            }
        } catch (Exception e) {
            parts.indexes().release(localIndex);
            f.completeExceptionally(new HandshakeException(FailureReason.TLS_ERROR, request + ": exporter: " + e.getMessage(), e));
        }
    }

    private void fail(HandshakeException e) {
        CompletableFuture<EstablishedSession> f = pending;
        pending = null;
        if (f != null) {
            if (localIndex != 0) {
                parts.indexes().release(localIndex);
            }
            f.completeExceptionally(e);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) throws Exception {
        ConnectionContext.release(ssl.engine());
        fail(new HandshakeException(FailureReason.PEER_REFUSED, request + ": connection closed by the peer",
                new ClosedChannelException()));
        super.channelInactive(c);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        fail(new HandshakeException(Failures.reasonOf(cause), request + ": " + Failures.detailOf(cause), cause));
        c.close();
    }
}
