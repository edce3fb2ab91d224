package dev.wanx.near.http;

import dev.wanx.near.DialFailures;
import dev.wanx.near.Hints;
import dev.wanx.transport.HostPort;
import dev.wanx.near.OutboundDialer;
import dev.wanx.relay.ChannelConduit;
import dev.wanx.relay.Conduit;
import dev.wanx.relay.Relay;
import dev.wanx.transport.DialError;
import dev.wanx.transport.StreamOpen;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * Turns an HTTP proxy connection into a CONNECT tunnel. It takes the proxy handler's place and removes the HTTP
 * codec at once, while the codec is still delivering the CONNECT head: whatever the client pipelined after the
 * head (typically a TLS ClientHello) then comes out of the codec as raw bytes instead of being parsed as HTTP,
 * and waits in the channel's conduit until the relay starts. The status line is written as raw bytes.
 */
final class ConnectTunnel extends ChannelInboundHandlerAdapter {
    static final String ESTABLISHED = "HTTP/1.1 200 Connection established\r\n\r\n";

    private boolean clientGone;

    private ConnectTunnel() { }

    /** Called from the proxy handler while it handles the CONNECT request head. */
    static void start(ChannelHandlerContext proxyCtx, ChannelHandler proxy, String authority, OutboundDialer dialer) {
        ChannelPipeline p = proxyCtx.pipeline();
        ConnectTunnel tunnel = new ConnectTunnel();
        proxyCtx.channel().config().setAutoRead(false);
        p.replace(proxy, "connect", tunnel);
        ChannelConduit client = ChannelConduit.attach(proxyCtx.channel());
        for (String name : HttpProxyFrontend.HTTP_HANDLERS) {
            if (p.get(name) != null) p.remove(name); // the codec flushes its leftover bytes to us here
        }
        ChannelHandlerContext ctx = p.context(tunnel);

        StreamOpen dest;
        try {
            HostPort hp = HostPort.parse(authority);
            dest = new StreamOpen(hp.host(), hp.port(), Hints.forPort(hp.port()));
        } catch (IllegalArgumentException bad) {
            reply(ctx, HttpResponseStatus.BAD_REQUEST, "wanx: CONNECT needs host:port, got '" + authority + "'\n");
            return;
        }
        CompletableFuture<Conduit> f = OutboundDialer.dialSafely(dialer, dest, null, null);
        f.whenComplete((up, err) -> {
            try {
                ctx.executor().execute(() -> tunnel.dialed(ctx, client, dest, up, err));
            } catch (RuntimeException shutDown) {
                if (up != null) up.abort(shutDown);
            }
        });
    }

    private void dialed(ChannelHandlerContext ctx, ChannelConduit client, StreamOpen dest, Conduit up, Throwable err) {
        if (err != null) {
            DialError e = DialFailures.unwrap(err).error();
            if (!clientGone) reply(ctx, ProxyErrors.status(e), ProxyErrors.dialText(dest.hostPort(), e, null));
            return;
        }
        if (clientGone || !ctx.channel().isActive()) {
            up.abort(new IOException("client went away during CONNECT"));
            return;
        }
        ctx.writeAndFlush(ByteBufUtil.writeAscii(ctx.alloc(), ESTABLISHED));
        ctx.pipeline().remove(this);
        Relay.join(client, up);
    }

    private static void reply(ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
        ctx.writeAndFlush(ProxyErrors.raw(ctx.alloc(), status, text)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            ctx.fireChannelRead(msg); // tunnel payload: to the conduit, which holds it until the relay starts
        } else {
            ReferenceCountUtil.release(msg); // the CONNECT's empty LastHttpContent
        }
    }

    @Override public void channelInactive(ChannelHandlerContext ctx) {
        clientGone = true;
        ctx.fireChannelInactive();
    }
}
