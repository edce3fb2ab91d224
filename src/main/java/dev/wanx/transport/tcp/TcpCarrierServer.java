package dev.wanx.transport.tcp;

import dev.wanx.crypto.Aead;
import dev.wanx.crypto.AuthorizedKeys;
import dev.wanx.crypto.HandshakeReplayGuard;
import dev.wanx.crypto.NoiseIK;
import dev.wanx.crypto.SessionKeys;
import dev.wanx.crypto.X25519KeyPair;
import dev.wanx.relay.NettyTransport;
import dev.wanx.transport.FrameLink;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Far side of the TCP carrier. A near that is not authorized, sends garbage, or replays an old first message
 * gets no byte back: the connection is simply closed, so a scanner learns nothing.
 */
public final class TcpCarrierServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("wanx.far");
    private static final int HANDSHAKE_SECONDS = 10;

    private final Channel server;

    private TcpCarrierServer(Channel server) { this.server = server; }

    public static TcpCarrierServer bind(EventLoopGroup boss, EventLoopGroup workers, InetSocketAddress listen, X25519KeyPair local,
                                        AuthorizedKeys authorized, HandshakeReplayGuard replayGuard, SecureRandom random,
                                        Consumer<FrameLink> onSession) throws IOException {
        return bind(boss, workers, listen, local, authorized, replayGuard, random, onSession, () -> null);
    }

    /** As above; every WELCOME also carries {@code announcement} (see discovery), built per handshake. */
    public static TcpCarrierServer bind(EventLoopGroup boss, EventLoopGroup workers, InetSocketAddress listen, X25519KeyPair local,
                                        AuthorizedKeys authorized, HandshakeReplayGuard replayGuard, SecureRandom random,
                                        Consumer<FrameLink> onSession, java.util.function.Supplier<byte[]> announcement) throws IOException {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NettyTransport.serverSocket())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 << 10, 2 << 20))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("handshakeTimeout", new ReadTimeoutHandler(HANDSHAKE_SECONDS));
                        ch.pipeline().addLast("frameDecoder", new LengthFieldBasedFrameDecoder(TcpRecords.MAX_RECORD + 2, 0, 2, 0, 2));
                        ch.pipeline().addLast("framePrepender", new LengthFieldPrepender(2));
                        ch.pipeline().addLast("handshake", new ServerHandshake(local, authorized, replayGuard, random, onSession, announcement));
                    }
                });
        try {
            return new TcpCarrierServer(b.bind(listen).sync().channel());
        } catch (Exception e) {
            throw new IOException("cannot listen on tcp " + listen + ": " + e.getMessage(), e);
        }
    }

    public InetSocketAddress localAddress() { return (InetSocketAddress) server.localAddress(); }

    @Override public void close() { server.close().syncUninterruptibly(); }

    private static final class ServerHandshake extends ChannelInboundHandlerAdapter {
        private final X25519KeyPair local;
        private final AuthorizedKeys authorized;
        private final HandshakeReplayGuard replayGuard;
        private final SecureRandom random;
        private final Consumer<FrameLink> onSession;
        private final java.util.function.Supplier<byte[]> announcement;

        ServerHandshake(X25519KeyPair local, AuthorizedKeys authorized, HandshakeReplayGuard replayGuard, SecureRandom random,
                        Consumer<FrameLink> onSession, java.util.function.Supplier<byte[]> announcement) {
            this.announcement = announcement;
            this.local = local;
            this.authorized = authorized;
            this.replayGuard = replayGuard;
            this.random = random;
            this.onSession = onSession;
        }

        @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf body = (ByteBuf) msg;
            try {
                byte[] m1 = TcpRecords.parseHello(body);
                if (m1 == null) {
                    silentClose(ctx, "not a wanx hello");
                    return;
                }
                NoiseIK.Responder noise = new NoiseIK.Responder(local, TcpRecords.PROLOGUE, random);
                byte[] payload;
                try {
                    payload = noise.readMessage1(m1);
                } catch (Exception e) {
                    silentClose(ctx, "handshake failed");
                    return;
                }
                byte[] peerKey = noise.remoteStatic();
                Optional<String> name = authorized.nameOf(peerKey);
                if (name.isEmpty()) {
                    silentClose(ctx, "unauthorized key " + java.util.Base64.getEncoder().encodeToString(peerKey));
                    return;
                }
                if (!replayGuard.accept(peerKey, TcpRecords.helloTimestamp(payload))) {
                    silentClose(ctx, "replayed or stale hello from " + name.get());
                    return;
                }
                byte[] m2 = noise.writeMessage2(TcpRecords.welcomePayload(announcement.get()));
                SessionKeys keys = noise.split();
                ctx.writeAndFlush(ctx.alloc().buffer(m2.length).writeBytes(m2));
                TcpLink link = new TcpLink(ctx.channel(), new Aead(keys.sendKey(false)), new Aead(keys.recvKey(false)), name.get());
                ctx.pipeline().remove("handshakeTimeout");
                ctx.pipeline().addBefore("handshake", "idle",
                        new IdleStateHandler(TcpCarrier.SILENCE_SECONDS, TcpCarrier.PING_SECONDS, 0));
                ctx.pipeline().replace(this, "link", link);
                LOG.info(() -> "session from " + name.get() + " at " + ctx.channel().remoteAddress() + " (tcp)");
                onSession.accept(link);
            } finally {
                body.release();
            }
        }

        private static void silentClose(ChannelHandlerContext ctx, String why) {
            LOG.fine(() -> "dropping tcp connection from " + ctx.channel().remoteAddress() + ": " + why);
            ctx.close();
        }

        @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            silentClose(ctx, String.valueOf(cause.getMessage()));
        }
    }
}
