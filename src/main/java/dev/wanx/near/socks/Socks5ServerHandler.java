package dev.wanx.near.socks;

import dev.wanx.near.DialFailures;
import dev.wanx.near.Hints;
import dev.wanx.near.OutboundDialer;
import dev.wanx.relay.ChannelConduit;
import dev.wanx.relay.Conduit;
import dev.wanx.relay.Relay;
import dev.wanx.transport.DialError;
import dev.wanx.transport.StreamOpen;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5PasswordAuthResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5CommandType;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequest;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthStatus;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Drives one SOCKS5 handshake: greeting, optional RFC 1929 auth, then a CONNECT request. Each step swaps the
 * decoder in front of this handler. After a successful dial it removes the SOCKS handlers and joins the client
 * channel to the dialed conduit. Anything unexpected (SOCKS4, garbage, BIND, UDP) ends the connection.
 */
final class Socks5ServerHandler extends ChannelInboundHandlerAdapter {
    private enum State { GREETING, AUTH, REQUEST, DIALING, DONE }

    private final OutboundDialer dialer;
    private final Socks5Credentials creds;
    private final Duration handshakeTimeout;
    private State state = State.GREETING;
    private ScheduledFuture<?> timeout;

    Socks5ServerHandler(OutboundDialer dialer, Socks5Credentials creds, Duration handshakeTimeout) {
        this.dialer = dialer;
        this.creds = creds;
        this.handshakeTimeout = handshakeTimeout;
    }

    @Override public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) startTimer(ctx);
    }

    @Override public void channelActive(ChannelHandlerContext ctx) {
        startTimer(ctx);
        ctx.fireChannelActive();
    }

    private void startTimer(ChannelHandlerContext ctx) {
        if (timeout != null) return;
        // A client that stalls mid-handshake would otherwise pin a socket and this handler forever.
        timeout = ctx.executor().schedule(() -> { ctx.close(); }, handshakeTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void stopTimer() {
        if (timeout != null) timeout.cancel(false);
    }

    @Override public void channelInactive(ChannelHandlerContext ctx) {
        stopTimer();
        state = State.DONE;
        ctx.fireChannelInactive();
    }

    @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            onBytes(ctx, buf);
            return;
        }
        try {
            if (msg instanceof DecoderResultProvider d && d.decoderResult().isFailure()) {
                ctx.close(); // SOCKS4, another protocol, or a malformed message: no reply is meaningful
            } else if (state == State.GREETING && msg instanceof Socks5InitialRequest r) {
                onGreeting(ctx, r);
            } else if (state == State.AUTH && msg instanceof Socks5PasswordAuthRequest r) {
                onAuth(ctx, r);
            } else if (state == State.REQUEST && msg instanceof Socks5CommandRequest r) {
                onRequest(ctx, r);
            } else {
                ctx.close();
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Raw bytes reach us when a client pipelines: the finished decoder passes what follows its message
     * through. During the handshake they belong to the decoder now in front of us; once dialing, to the
     * conduit behind us (which holds them until the relay starts).
     */
    private void onBytes(ChannelHandlerContext ctx, ByteBuf buf) {
        switch (state) {
            case AUTH, REQUEST -> ctx.pipeline().context(Socks5Frontend.ENCODER).fireChannelRead(buf);
            case DIALING -> ctx.fireChannelRead(buf);
            default -> {
                buf.release();
                ctx.close();
            }
        }
    }

    private void onGreeting(ChannelHandlerContext ctx, Socks5InitialRequest r) {
        Socks5AuthMethod want = creds == null ? Socks5AuthMethod.NO_AUTH : Socks5AuthMethod.PASSWORD;
        if (!r.authMethods().contains(want)) {
            ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.UNACCEPTED))
                    .addListener(ChannelFutureListener.CLOSE);
            state = State.DONE;
            return;
        }
        if (creds == null) {
            ctx.pipeline().replace(Socks5Frontend.DECODER, Socks5Frontend.DECODER, new Socks5CommandRequestDecoder());
            state = State.REQUEST;
        } else {
            ctx.pipeline().replace(Socks5Frontend.DECODER, Socks5Frontend.DECODER, new Socks5PasswordAuthRequestDecoder());
            state = State.AUTH;
        }
        ctx.writeAndFlush(new DefaultSocks5InitialResponse(want));
    }

    private void onAuth(ChannelHandlerContext ctx, Socks5PasswordAuthRequest r) {
        if (!creds.matches(r.username(), r.password())) {
            state = State.DONE;
            ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.FAILURE))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.pipeline().replace(Socks5Frontend.DECODER, Socks5Frontend.DECODER, new Socks5CommandRequestDecoder());
        state = State.REQUEST;
        ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.SUCCESS));
    }

    private void onRequest(ChannelHandlerContext ctx, Socks5CommandRequest r) {
        if (r.type() != Socks5CommandType.CONNECT) { // BIND and UDP ASSOCIATE make no sense through a tunnel
            fail(ctx, Socks5CommandStatus.COMMAND_UNSUPPORTED);
            return;
        }
        StreamOpen dest;
        try {
            dest = new StreamOpen(r.dstAddr(), r.dstPort(), Hints.forPort(r.dstPort()));
        } catch (RuntimeException badAddress) { // port 0, empty or oversized host
            fail(ctx, Socks5CommandStatus.FAILURE);
            return;
        }
        state = State.DIALING;
        stopTimer(); // from here the dialer's own timeout applies, and its TIMEOUT gets a proper reply
        // Bytes the client sends before our reply wait in the conduit (bounded; auto-read goes off).
        ChannelConduit client = ChannelConduit.attach(ctx.channel());
        CompletableFuture<Conduit> dialed = OutboundDialer.dialSafely(dialer, dest, null, null);
        dialed.whenComplete((upstream, err) -> {
            try {
                ctx.executor().execute(() -> dialDone(ctx, client, upstream, err));
            } catch (RuntimeException shutDown) {
                if (upstream != null) upstream.abort(shutDown);
            }
        });
    }

    private void dialDone(ChannelHandlerContext ctx, ChannelConduit client, Conduit upstream, Throwable err) {
        if (err != null) {
            if (state == State.DIALING) fail(ctx, status(DialFailures.unwrap(err).error()));
            return;
        }
        if (state != State.DIALING || !ctx.channel().isActive()) {
            upstream.abort(new IOException("client went away during dial"));
            return;
        }
        state = State.DONE;
        // BND.ADDR/PORT: the real bound address is at the far end (or unknown); clients ignore it for CONNECT.
        ctx.writeAndFlush(new DefaultSocks5CommandResponse(Socks5CommandStatus.SUCCESS, Socks5AddressType.IPv4, "0.0.0.0", 0));
        ChannelHandlerContext dec = ctx.pipeline().context(Socks5Frontend.DECODER);
        if (dec != null) ctx.pipeline().remove(dec.handler());
        ctx.pipeline().remove(Socks5Frontend.ENCODER);
        ctx.pipeline().remove(this);
        Relay.join(client, upstream);
    }

    private void fail(ChannelHandlerContext ctx, Socks5CommandStatus status) {
        state = State.DONE;
        ctx.writeAndFlush(new DefaultSocks5CommandResponse(status, Socks5AddressType.IPv4, "0.0.0.0", 0))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** TIMEOUT has no exact SOCKS5 code; TTL_EXPIRED (0x06) is the conventional "took too long". */
    static Socks5CommandStatus status(DialError e) {
        return switch (e) {
            case REFUSED -> Socks5CommandStatus.CONNECTION_REFUSED;
            case UNREACHABLE, UNKNOWN_HOST -> Socks5CommandStatus.HOST_UNREACHABLE;
            case DENIED -> Socks5CommandStatus.FORBIDDEN;
            case TIMEOUT -> Socks5CommandStatus.TTL_EXPIRED;
            default -> Socks5CommandStatus.FAILURE;
        };
    }

    @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

}
