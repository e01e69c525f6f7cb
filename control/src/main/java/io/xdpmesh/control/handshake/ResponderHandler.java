package io.xdpmesh.control.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.session.EstablishedSession;
import io.xdpmesh.control.session.IdentityPair;
import io.xdpmesh.control.tls.ConnectionContext;
import io.xdpmesh.crypto.tls.SessionBinding;
import io.xdpmesh.dataplane.session.HandshakeActivity;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;

/**
 * The responder's side of one connection: after TLS (the trust manager has verified the
 * initiator), each HELLO must name the verified initiator and the identity this side presented;
 * then an index is allocated, keys are exported, the session goes to the sink, and ACCEPT goes
 * back. Anything else gets REFUSE with the reason and the connection is closed.
 */
final class ResponderHandler extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(ResponderHandler.class.getName());

    private final Parts parts;
    private final ConnectionContext ctx;
    private final SslHandler ssl;
    private final HandshakeServer server;
    private long lastEpoch;
    private boolean verified;
    private HandshakeTrace trace;
    /** Ends at the first ACCEPT, a refusal or a failed TLS handshake (and at the close, in any case). */
    private final HandshakeActivity.Token busy;

    ResponderHandler(Parts parts, ConnectionContext ctx, SslHandler ssl, HandshakeServer server, HandshakeTrace trace,
                     HandshakeActivity.Token busy) {
        this.busy = busy;
        this.trace = trace;
        this.parts = parts;
        this.ctx = ctx;
        this.ssl = ssl;
        this.server = server;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext c, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent e) {
            ConnectionContext.release(ssl.engine());
            if (!e.isSuccess()) {
                busy.end();
                FailureReason r = Failures.reasonOf(e.cause());
                if (r == FailureReason.TLS_ERROR && ctx.localSvid() == null) {
                    r = FailureReason.NO_LOCAL_SVID; // SNI asked for an identity this node does not hold
                }
                parts.counters().onRefused(r);
                LOG.log(Level.INFO, "handshake refused: from " + addr() + " (" + who() + "): " + r.label() + " ("
                        + Failures.detailOf(e.cause()) + ")");
            } else if (ctx.verifiedPeer() == null || ctx.localSvid() == null) {
                refuse(c, FailureReason.PROTOCOL_ERROR, "TLS session without certificate verification (resumed?)");
            } else {
                verified = true;
                if (trace != null) {
                    trace.mark(HandshakeTrace.RStage.TLS_DONE);
                }
                parts.counters().onTlsVerified();
                server.opened(c.channel(), ctx.local());
            }
        }
        super.userEventTriggered(c, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (!verified) {
                refuse(c, FailureReason.PROTOCOL_ERROR, "message before a verified handshake");
                return;
            }
            Object m = MeshMessages.parse(frame);
            if (!(m instanceof MeshMessages.Hello h)) {
                refuse(c, FailureReason.PROTOCOL_ERROR, "expected HELLO, got " + m.getClass().getSimpleName());
                return;
            }
            onHello(c, h);
        } catch (MeshMessages.BadMessage e) {
            refuse(c, FailureReason.PROTOCOL_ERROR, e.getMessage());
        } finally {
            frame.release();
        }
    }

    private void onHello(ChannelHandlerContext c, MeshMessages.Hello h) {
        HandshakeTrace tr = trace;
        trace = null; // only the connection's first exchange is a first packet
        if (tr != null) {
            tr.mark(HandshakeTrace.RStage.HELLO);
        }
        SpiffeId peer = ctx.verifiedPeer();
        if (!peer.toString().equals(h.initiatorId())) {
            refuse(c, FailureReason.WRONG_SPIFFE_ID, "HELLO claims " + h.initiatorId() + ", certificate is " + peer);
            return;
        }
        if (!ctx.local().toString().equals(h.responderId())) {
            refuse(c, FailureReason.WRONG_SPIFFE_ID, "HELLO asks for " + h.responderId() + ", this connection presented "
                    + ctx.local() + " (SNI names the identity)");
            return;
        }
        if (h.epoch() <= lastEpoch || h.initiatorIndex() == 0) {
            refuse(c, FailureReason.PROTOCOL_ERROR, "epoch " + h.epoch() + " not above " + lastEpoch + " or index 0");
            return;
        }
        int index = parts.indexes().allocate();
        try {
            SessionBinding binding = new SessionBinding(h.initiatorId(), h.responderId(), h.initiatorIndex(), index, h.epoch());
            InetSocketAddress remote = (InetSocketAddress) c.channel().remoteAddress();
            EstablishedSession s = SessionFactory.build(ssl.engine().getSession(), ctx, binding, false,
                    new IdentityPair(ctx.local(), peer), remote, parts.aeads());
            parts.sink().install(s, tr);
            lastEpoch = h.epoch();
            parts.counters().onResponded();
            c.writeAndFlush(MeshMessages.accept(c.alloc(), new MeshMessages.Accept(h.epoch(), index)));
            busy.end();
            if (tr != null) {
                tr.mark(HandshakeTrace.RStage.ACCEPT_SENT);
            }
        } catch (Exception e) {
            refuse(c, FailureReason.TLS_ERROR, "exporter: " + e.getMessage());
        } finally {
            parts.indexes().release(index);
        }
    }

    private void refuse(ChannelHandlerContext c, FailureReason r, String detail) {
        busy.end();
        parts.counters().onRefused(r);
        LOG.log(Level.INFO, "handshake refused: from " + addr() + " (" + who() + "): " + r.label() + " (" + detail + ")");
        if (c.channel().isActive() && verified) {
            c.writeAndFlush(MeshMessages.refuse(c.alloc(), new MeshMessages.Refuse(r, detail)))
                    .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        } else {
            c.close();
        }
    }

    private String addr() {
        return ctx.peer().getAddress().getHostAddress() + ":" + ctx.peer().getPort();
    }

    private String who() {
        return (ctx.verifiedPeer() == null ? "unverified" : ctx.verifiedPeer().toString()) + " -> "
                + (ctx.local() == null ? "?" : ctx.local().toString());
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) throws Exception {
        ConnectionContext.release(ssl.engine());
        server.closed(c.channel());
        super.channelInactive(c);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        // Handshake failures arrive as the completion event too; log anything else once.
        if (verified) {
            LOG.log(Level.DEBUG, "connection from " + addr() + " failed: " + cause);
        }
        c.close();
    }
}
