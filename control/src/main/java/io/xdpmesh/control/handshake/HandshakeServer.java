package io.xdpmesh.control.handshake;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.spiffe.spiffeid.SpiffeId;
import io.xdpmesh.control.tls.ConnectionContext;
import io.xdpmesh.dataplane.session.HandshakeActivity;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;

/**
 * The listening side: plain TLS 1.3 on TCP (so openssl s_client talks to it). A connection may sit
 * idle before its ClientHello (an initiator's pre-connected spare), so TLS starts only when the
 * first byte arrives; until then an idle timeout closes it.
 */
final class HandshakeServer {
    private final Parts parts;
    private final Channel listener;
    /** Open, verified connections by the local identity they presented (for REAUTH on rotation). */
    private final Map<Channel, SpiffeId> open = new ConcurrentHashMap<>();

    HandshakeServer(Parts parts, EventLoopGroup group) throws InterruptedException {
        this.parts = parts;
        HandshakeConfig cfg = parts.config();
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(cfg.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                                .addLast("idle-close", new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext c, Object evt) throws Exception {
                                        if (evt instanceof IdleStateEvent) {
                                            c.close();
                                        }
                                        super.userEventTriggered(c, evt);
                                    }
                                })
                                .addLast("start-tls", new TlsStarter());
                    }
                });
        listener = b.bind(new InetSocketAddress(cfg.bindAddress(), cfg.port())).sync().channel();
    }

    /** Replaces itself with the TLS pipeline once the first byte of a ClientHello is there. */
    private final class TlsStarter extends ByteToMessageDecoder {
        @Override
        protected void decode(ChannelHandlerContext c, ByteBuf in, List<Object> out) {
            if (!in.isReadable()) {
                return;
            }
            HandshakeTrace trace = HandshakeTrace.responder();
            trace.mark(HandshakeTrace.RStage.FIRST_BYTE);
            // busy from the ClientHello (not from connect: spares sit idle) to the first ACCEPT or the close
            HandshakeActivity.Token busy = parts.activity().begin();
            c.channel().closeFuture().addListener(f -> busy.end());
            SSLEngine engine = parts.tls().responder((InetSocketAddress) c.channel().remoteAddress());
            SslHandler ssl = new SslHandler(engine);
            ssl.setHandshakeTimeoutMillis(parts.config().attemptTimeout().toMillis());
            ConnectionContext ctx = ConnectionContext.of(engine);
            var p = c.pipeline();
            p.remove("idle");
            p.remove("idle-close");
            p.addAfter(c.name(), "frames", new LengthFieldBasedFrameDecoder(MeshMessages.MAX_FRAME, 0, 2, 0, 2));
            p.addAfter("frames", "prepend", new LengthFieldPrepender(2));
            p.addAfter("prepend", "responder", new ResponderHandler(parts, ctx, ssl, HandshakeServer.this, trace, busy));
            p.replace(this, "tls", ssl);
        }
    }

    void opened(Channel ch, SpiffeId local) {
        open.put(ch, local);
    }

    void closed(Channel ch) {
        open.remove(ch);
    }

    /** Tells initiators of connections that presented {@code id} that it rotated. */
    void rotated(SpiffeId id) {
        open.forEach((ch, local) -> {
            if (local.equals(id)) {
                ch.writeAndFlush(MeshMessages.reauth(ch.alloc(), new MeshMessages.Reauth(id.toString())));
            }
        });
    }

    int openConnections() {
        return open.size();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    void close() {
        listener.close().syncUninterruptibly();
        open.keySet().forEach(Channel::close);
    }
}
