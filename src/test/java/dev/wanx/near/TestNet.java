package dev.wanx.near;

import dev.wanx.relay.Conduit;
import dev.wanx.relay.NettyTransport;
import dev.wanx.relay.TcpDialer;
import dev.wanx.transport.DialError;
import dev.wanx.transport.DialException;
import dev.wanx.transport.StreamOpen;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Shared loopback fixtures for front-end tests: event loops, a TCP echo server, direct and failing dialers. */
public final class TestNet implements AutoCloseable {
    public final EventLoopGroup boss = NettyTransport.group(1, "test-boss");
    public final EventLoopGroup workers = NettyTransport.group(2, "test-work");
    public final TcpDialer tcp = new TcpDialer(workers, 5000);
    private final List<Channel> channels = new CopyOnWriteArrayList<>();

    /** Records what was asked for and dials it directly, like the near does when the tunnel is down. */
    public final class DirectDialer implements OutboundDialer {
        public final List<StreamOpen> dests = new CopyOnWriteArrayList<>();
        public final List<String> urls = new CopyOnWriteArrayList<>();

        @Override public CompletableFuture<Conduit> dial(StreamOpen dest, String url, ByteBuf firstData) {
            dests.add(dest);
            if (url != null) urls.add(url);
            return tcp.dial(dest.host(), dest.port(), firstData);
        }
    }

    public DirectDialer direct() { return new DirectDialer(); }

    public static OutboundDialer failing(DialError e) {
        return (dest, url, first) -> {
            if (first != null) first.release();
            return CompletableFuture.failedFuture(new DialException(e, "test says " + e));
        };
    }

    public <T extends Channel> T track(T ch) {
        channels.add(ch);
        return ch;
    }

    /** Echoes everything and half-closes after the client does, so a half-close test can see the rest. */
    public InetSocketAddress echoServer(String host) {
        Channel ch = new ServerBootstrap().group(boss, workers).channel(NettyTransport.serverSocket())
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ctx.writeAndFlush(msg);
                            }

                            @Override public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                if (evt instanceof ChannelInputShutdownEvent) {
                                    ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
                                            .addListener(f -> ((DuplexChannel) ctx.channel()).shutdownOutput());
                                }
                            }
                        });
                    }
                }).bind(host, 0).syncUninterruptibly().channel();
        track(ch);
        return (InetSocketAddress) ch.localAddress();
    }

    public static int port(Channel listener) {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    public static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    public static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Writes {@code data} from another thread (so a big payload can't deadlock against the echo), then FINs. */
    public static byte[] echoRoundTrip(Socket s, byte[] data) throws Exception {
        OutputStream out = s.getOutputStream();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                out.write(data);
                out.flush();
                s.shutdownOutput();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] got = readAll(s.getInputStream());
        writer.get();
        return got;
    }

    public static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        in.transferTo(bo);
        return bo.toByteArray();
    }

    public static byte[] readN(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) throw new IOException("short read: " + b.length + " of " + n);
        return b;
    }

    @Override public void close() {
        for (Channel c : channels) c.close().syncUninterruptibly();
        boss.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        provokeLeakReports();
    }

    /** Paranoid leak detection only reports after a GC and a later allocation; make both happen per test. */
    public static void provokeLeakReports() {
        System.gc();
        for (int i = 0; i < 64; i++) io.netty.buffer.PooledByteBufAllocator.DEFAULT.buffer(16).release();
    }
}
