package dev.wanx.far;

import dev.wanx.relay.NettyTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Serves files under the far's {@code --warm-root} to `wanx warm`, so both dictionaries learn them before users
 * need them. The near asks for {@code http://warm.wanx.invalid/PATH} through its proxy; the far sends that
 * stream here instead of dialing out, so the bytes cross the tunnel through the same reduction codec as any
 * other stream. Loopback only, on its own single thread: file reads never run on the tunnel's event loops.
 * A directory answers with the list of its regular files (recursive, one relative path per line).
 */
public final class WarmFileServer implements AutoCloseable {
    public static final String HOST = dev.wanx.transport.ReservedHosts.WARM;
    public static final String LISTING_HEADER = dev.wanx.transport.ReservedHosts.LISTING_HEADER;
    static final int MAX_LISTING = 100_000;
    private static final Logger LOG = Logger.getLogger("wanx.far");

    private final Path root;
    private final EventLoopGroup group;
    private final Channel server;

    private WarmFileServer(Path root, EventLoopGroup group, Channel server) {
        this.root = root;
        this.group = group;
        this.server = server;
    }

    /** @param root an existing directory; only files under it (after resolving links) are served */
    public static WarmFileServer start(Path root) throws IOException {
        Path real = root.toRealPath();
        if (!Files.isDirectory(real)) throw new IOException("--warm-root " + root + " is not a directory");
        EventLoopGroup group = NettyTransport.group(1, "wanx-warm-files");
        try {
            Channel ch = new ServerBootstrap().group(group).channel(NettyTransport.serverSocket())
                    .childHandler(new ChannelInitializer<>() {
                        @Override protected void initChannel(Channel c) {
                            c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), new ChunkedWriteHandler(),
                                    new Handler(real));
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            return new WarmFileServer(real, group, ch);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            NettyTransport.shutdownNow(group);
            throw new IOException("interrupted while binding the warm file server", e);
        } catch (RuntimeException e) {
            NettyTransport.shutdownNow(group);
            throw e;
        }
    }

    public InetSocketAddress address() { return (InetSocketAddress) server.localAddress(); }

    public Path root() { return root; }

    @Override public void close() {
        server.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Where a request path points under {@code root}, or null if it escapes it (.., links out). */
    static Path resolve(Path root, String requestPath) {
        String rel = requestPath.replaceFirst("^/+", "");
        Path p = root.resolve(rel).normalize();
        if (!p.startsWith(root)) return null;
        try {
            Path real = p.toRealPath();
            return real.startsWith(root) ? real : null;
        } catch (IOException e) {
            return p; // missing: the caller answers 404
        }
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Path root;

        Handler(Path root) { this.root = root; }

        @Override protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (!HttpMethod.GET.equals(req.method())) {
                error(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "warming only reads (GET)");
                return;
            }
            String path = new QueryStringDecoder(req.uri()).path();
            Path file = resolve(root, path);
            if (file == null) {
                LOG.warning("warm request outside --warm-root refused: " + path);
                error(ctx, HttpResponseStatus.FORBIDDEN, "outside the far's --warm-root");
            } else if (Files.isDirectory(file)) {
                listing(ctx, file);
            } else if (!Files.isRegularFile(file)) {
                error(ctx, HttpResponseStatus.NOT_FOUND, "no such file under the far's --warm-root: " + path);
            } else {
                send(ctx, file);
            }
        }

        private void send(ChannelHandlerContext ctx, Path file) {
            FileChannel fc;
            long size;
            try {
                fc = FileChannel.open(file, StandardOpenOption.READ);
                size = fc.size();
            } catch (IOException e) {
                error(ctx, HttpResponseStatus.FORBIDDEN, "cannot read: " + e.getMessage());
                return;
            }
            DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_LENGTH, size)
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.write(head);
            try {
                // ChunkedWriteHandler pulls the next 64 KiB only when the socket can take it: backpressure.
                ctx.writeAndFlush(new HttpChunkedInput(new ChunkedNioFile(fc, 0, size, 64 << 10)))
                        .addListener(ChannelFutureListener.CLOSE);
            } catch (IOException e) {
                ctx.close();
            }
        }

        private void listing(ChannelHandlerContext ctx, Path dir) {
            StringBuilder sb = new StringBuilder();
            int[] n = {0};
            try (Stream<Path> files = Files.walk(dir)) {
                files.filter(Files::isRegularFile).limit(MAX_LISTING).forEach(f -> {
                    sb.append(root.relativize(f).toString().replace('\\', '/')).append('\n');
                    n[0]++;
                });
            } catch (IOException | UncheckedIOException e) {
                error(ctx, HttpResponseStatus.FORBIDDEN, "cannot list: " + e.getMessage());
                return;
            }
            ByteBuf body = Unpooled.copiedBuffer(sb, StandardCharsets.UTF_8);
            DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .set(LISTING_HEADER, n[0])
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }

        private static void error(ChannelHandlerContext ctx, HttpResponseStatus status, String why) {
            ByteBuf body = Unpooled.copiedBuffer(why + "\n", StandardCharsets.UTF_8);
            DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }

        @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
