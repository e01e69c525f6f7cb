package io.xdpmesh.control.handshake;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.SslHandler;
import io.xdpmesh.control.session.AuthRequest;
import io.xdpmesh.control.session.EstablishedSession;
import io.xdpmesh.control.tls.ConnectionContext;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;

/**
 * Outgoing connections. Each pair gets its own TLS connection (one SVID per side per TLS
 * session), kept open for rekeys. To take the TCP connect off the path, one spare pre-connected
 * TCP connection per peer node waits; a new pair takes it (TLS starts on it at once) and a new
 * spare is opened behind it. The responder only starts TLS on the first byte, so a spare is
 * indistinguishable from a slow client and plain TLS clients are unaffected.
 */
final class Connector {
    private final Parts parts;
    private final Bootstrap bootstrap;
    private final Consumer<AuthRequest> reauth;
    private final Map<InetSocketAddress, ChannelFuture> spares = new ConcurrentHashMap<>();
    private final Map<AuthRequest, InitiatorHandler> pairs = new ConcurrentHashMap<>();
    private final AtomicLong sparesUsed = new AtomicLong();

    Connector(Parts parts, EventLoopGroup group, Consumer<AuthRequest> reauth) {
        this.parts = parts;
        this.reauth = reauth;
        this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) parts.config().attemptTimeout().toMillis())
                .localAddress(new InetSocketAddress(parts.config().bindAddress(), 0))
                .handler(new io.netty.channel.ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // Until the connection is used for a pair, a reset only closes it.
                        ch.pipeline().addLast("spare-guard", new io.netty.channel.ChannelInboundHandlerAdapter() {
                            @Override
                            public void exceptionCaught(io.netty.channel.ChannelHandlerContext c, Throwable t) {
                                c.close();
                            }
                        });
                    }
                });
    }

    /**
     * One attempt for {@code req}: a rekey on the pair's open connection when there is one and
     * {@code newTls} is false, else a new TLS handshake. The returned future can be completed
     * from outside (timeout); the connection is then closed.
     */
    CompletableFuture<EstablishedSession> attempt(AuthRequest req, boolean newTls, HandshakeTrace trace) {
        CompletableFuture<EstablishedSession> f = new CompletableFuture<>();
        if (parts.store().current(req.pair().local()).isEmpty()) {
            f.completeExceptionally(new HandshakeException(FailureReason.NO_LOCAL_SVID, req + ": no SVID for " + req.pair().local()));
            return f;
        }
        InitiatorHandler existing = pairs.get(req);
        if (!newTls && existing != null && existing.usable()) {
            parts.counters().onRekey();
            existing.rekey(f);
            f.whenComplete((s, t) -> {
                if (t != null) {
                    existing.channel().close();
                }
            });
            return f;
        }
        ChannelFuture spare = spares.remove(req.peerAgent());
        ChannelFuture cf;
        if (connected(spare)) {
            sparesUsed.incrementAndGet();
            cf = spare;
        } else {
            if (spare != null) {
                spare.channel().close();
            }
            cf = bootstrap.connect(req.peerAgent());
        }
        if (parts.config().spareConnections()) {
            spares.computeIfAbsent(req.peerAgent(), bootstrap::connect);
        }
        cf.addListener(done -> {
            if (!done.isSuccess()) {
                f.completeExceptionally(new HandshakeException(FailureReason.CONNECT_FAILED,
                        req + ": connect: " + done.cause().getMessage(), done.cause()));
                return;
            }
            startTls(cf.channel(), req, f, trace);
        });
        f.whenComplete((s, t) -> {
            if (t != null) {
                cf.channel().close();
            }
        });
        return f;
    }

    private void startTls(Channel ch, AuthRequest req, CompletableFuture<EstablishedSession> f, HandshakeTrace trace) {
        if (trace != null) {
            trace.mark(HandshakeTrace.Stage.CONNECTED);
        }
        SSLEngine engine = parts.tls().initiator(req.peerAgent(), req.pair().local(), req.pair().remote());
        ConnectionContext ctx = ConnectionContext.of(engine);
        SslHandler ssl = new SslHandler(engine);
        ssl.setHandshakeTimeoutMillis(parts.config().attemptTimeout().toMillis());
        InitiatorHandler handler = new InitiatorHandler(parts, req, ctx, ssl, f, trace, reauth, h -> {
            InitiatorHandler old = pairs.put(req, h);
            if (old != null && old != h && old.channel() != null) {
                old.channel().close();
            }
            ch.closeFuture().addListener(x -> pairs.remove(req, h));
        });
        ch.eventLoop().execute(() -> {
            if (ch.pipeline().get("spare-guard") != null) {
                ch.pipeline().remove("spare-guard");
            }
            ch.pipeline().addLast("frames", new LengthFieldBasedFrameDecoder(MeshMessages.MAX_FRAME, 0, 2, 0, 2))
                    .addLast("prepend", new LengthFieldPrepender(2))
                    .addLast("initiator", handler)
                    .addFirst("tls", ssl);
        });
    }

    /**
     * Opens the spare connection to {@code peer} unless a live or connecting one is there, so the
     * first pair towards a peer node skips the TCP connect too (its own connect cost the first pair
     * after start ~3 ms). Spares the peer closed (its idle timeout) or that failed are replaced.
     */
    void prepare(InetSocketAddress peer) {
        if (!parts.config().spareConnections()) {
            return;
        }
        spares.compute(peer, (k, old) -> {
            if (old != null && (!old.isDone() || connected(old))) {
                return old;
            }
            if (old != null) {
                old.channel().close();
            }
            return bootstrap.connect(k);
        });
    }

    /** True when a connected spare to {@code peer} waits. */
    boolean spareReady(InetSocketAddress peer) {
        return connected(spares.get(peer));
    }

    /** A spare that connected and is still open (null: none). */
    private static boolean connected(ChannelFuture spare) {
        return spare != null && spare.isDone() && spare.isSuccess() && spare.channel().isActive();
    }

    long sparesUsed() {
        return sparesUsed.get();
    }

    int openPairConnections() {
        return pairs.size();
    }

    void close() {
        spares.values().forEach(s -> s.channel().close());
        pairs.values().forEach(h -> {
            if (h.channel() != null) {
                h.channel().close();
            }
        });
    }
}
