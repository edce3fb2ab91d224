package dev.wanx.transport.tcp;

import dev.wanx.crypto.Aead;
import dev.wanx.crypto.NoiseIK;
import dev.wanx.crypto.SessionKeys;
import dev.wanx.crypto.X25519KeyPair;
import dev.wanx.relay.NettyTransport;
import dev.wanx.transport.FrameLink;
import io.netty.bootstrap.Bootstrap;
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
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** Near side of the TCP carrier: connect, run the Noise IK handshake, hand back a {@link FrameLink}. */
public final class TcpCarrier {
    static final int PING_SECONDS = 5;
    static final int SILENCE_SECONDS = 20;

    private TcpCarrier() { }

    /**
     * @param clockNanos wall clock in ns since the epoch (the far's replay guard wants it monotonic per key)
     */
    public static CompletableFuture<FrameLink> connect(EventLoopGroup group, InetSocketAddress far, X25519KeyPair local,
                                                       byte[] farPublicKey, Duration timeout, SecureRandom random,
                                                       LongSupplier clockNanos) {
        CompletableFuture<FrameLink> result = new CompletableFuture<>();
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(NettyTransport.socket())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeout.toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 << 10, 2 << 20))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("frameDecoder", new LengthFieldBasedFrameDecoder(TcpRecords.MAX_RECORD + 2, 0, 2, 0, 2));
                        ch.pipeline().addLast("framePrepender", new LengthFieldPrepender(2));
                        ch.pipeline().addLast("handshake", new ClientHandshake(local, farPublicKey, random, clockNanos, far, result));
                    }
                });
        b.connect(far).addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(new IOException("cannot reach far " + far + ": " + f.cause().getMessage(), f.cause()));
            } else {
                Channel ch = ((io.netty.channel.ChannelFuture) f).channel();
                ch.eventLoop().schedule(() -> {
                    if (result.completeExceptionally(new IOException("far " + far + " did not answer the handshake in " + timeout.toMillis() + " ms"))) {
                        ch.close();
                    }
                }, timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
        return result;
    }

    private static final class ClientHandshake extends ChannelInboundHandlerAdapter {
        private final NoiseIK.Initiator noise;
        private final LongSupplier clock;
        private final InetSocketAddress far;
        private final CompletableFuture<FrameLink> result;

        ClientHandshake(X25519KeyPair local, byte[] farKey, SecureRandom random, LongSupplier clock, InetSocketAddress far,
                        CompletableFuture<FrameLink> result) {
            this.noise = new NoiseIK.Initiator(local, farKey, TcpRecords.PROLOGUE, random);
            this.clock = clock;
            this.far = far;
            this.result = result;
        }

        @Override public void channelActive(ChannelHandlerContext ctx) {
            byte[] m1 = noise.writeMessage1(TcpRecords.helloPayload(clock.getAsLong()));
            ctx.writeAndFlush(TcpRecords.hello(ctx.alloc(), m1));
            ctx.fireChannelActive();
        }

        @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf body = (ByteBuf) msg;
            try {
                byte[] m2 = new byte[body.readableBytes()];
                body.readBytes(m2);
                byte[] welcome = noise.readMessage2(m2);
                SessionKeys keys = noise.split();
                TcpLink link = new TcpLink(ctx.channel(), new Aead(keys.sendKey(true)), new Aead(keys.recvKey(true)), far.toString());
                link.setAnnouncement(TcpRecords.welcomeAnnouncement(welcome));
                ctx.pipeline().addBefore("handshake", "idle", new IdleStateHandler(SILENCE_SECONDS, PING_SECONDS, 0));
                ctx.pipeline().replace(this, "link", link);
                if (!result.complete(link)) ctx.close(); // timed out meanwhile
            } catch (Exception e) {
                result.completeExceptionally(new IOException("handshake with far " + far + " failed: " + e.getMessage(), e));
                ctx.close();
            } finally {
                body.release();
            }
        }

        @Override public void channelInactive(ChannelHandlerContext ctx) {
            // An unauthorized near gets silence, then the far drops the connection.
            result.completeExceptionally(new IOException("far " + far + " closed the connection during the handshake"
                    + " (is this near's key authorized there, and the far's key right?)"));
        }

        @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(new IOException("far " + far + ": " + cause.getMessage(), cause));
            ctx.close();
        }
    }
}
