package dev.wanx.relay;

import dev.wanx.transport.DialError;
import dev.wanx.transport.DialException;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.NetUtil;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;

/** Dials TCP destinations as {@link ChannelConduit}s and turns socket errors into {@link DialError}s. */
public final class TcpDialer {
    private final EventLoopGroup group;
    private final int connectTimeoutMillis;

    public TcpDialer(EventLoopGroup group, int connectTimeoutMillis) {
        this.group = group;
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    /** Connects to an already-resolved address; {@code firstData} (may be null) is written once connected. */
    public CompletableFuture<Conduit> dial(InetSocketAddress address, ByteBuf firstData) {
        return dial(address, firstData, null);
    }

    /**
     * As {@link #dial(InetSocketAddress, ByteBuf)}, on {@code loop} if it is one of this dialer's loops (the caller's
     * own, typically: its stream and the new connection then share a thread, lab far: ~1 ms of hops per dial saved).
     */
    public CompletableFuture<Conduit> dial(InetSocketAddress address, ByteBuf firstData, EventLoop loop) {
        CompletableFuture<Conduit> result = new CompletableFuture<>();
        ChannelConduit[] holder = new ChannelConduit[1];
        Bootstrap b = new Bootstrap()
                .group(loop != null && loop.parent() == group ? loop : group)
                .channel(NettyTransport.socket())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override protected void initChannel(SocketChannel ch) {
                        holder[0] = ChannelConduit.attach(ch);
                    }
                });
        b.connect(address).addListener(f -> {
            if (f.isSuccess()) {
                if (firstData != null) holder[0].write(firstData);
                result.complete(holder[0]);
            } else {
                if (firstData != null) firstData.release();
                result.completeExceptionally(classify(address, f.cause()));
            }
        });
        return result;
    }

    /**
     * The address an IP literal names, or null for a host name. A literal needs no look-up: a trip to the resolver's
     * thread and back cost ~1 ms per dial (lab, far).
     */
    public static InetAddress literal(String host) {
        if (host.indexOf('%') >= 0) return null; // a scoped IPv6 literal: the resolver keeps its scope
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(host);
        if (bytes == null) return null;
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null; // not reached: the bytes are 4 or 16 long
        }
    }

    /** Resolves {@code host} off the event loop (DNS may block; an IP literal is not looked up) and dials it. */
    public CompletableFuture<Conduit> dial(String host, int port, ByteBuf firstData) {
        InetAddress address = literal(host);
        if (address != null) return dial(new InetSocketAddress(address, port), firstData);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                throw new java.util.concurrent.CompletionException(
                        new DialException(DialError.UNKNOWN_HOST, "unknown host " + host));
            }
        }, Resolver.EXECUTOR).handle((addr, err) -> {
            if (err != null) {
                if (firstData != null) firstData.release();
                return CompletableFuture.<Conduit>failedFuture(err.getCause() != null ? err.getCause() : err);
            }
            return dial(new InetSocketAddress(addr, port), firstData);
        }).thenCompose(f -> f);
    }

    public static DialException classify(InetSocketAddress to, Throwable t) {
        String where = to.getHostString() + ":" + to.getPort();
        if (t instanceof DialException d) return d;
        if (t instanceof ConnectTimeoutException) return new DialException(DialError.TIMEOUT, "timed out connecting to " + where, t);
        if (t instanceof NoRouteToHostException) return new DialException(DialError.UNREACHABLE, "no route to " + where, t);
        String msg = String.valueOf(t.getMessage()).toLowerCase();
        if (t instanceof ConnectException || msg.contains("refused")) {
            if (msg.contains("unreachable")) return new DialException(DialError.UNREACHABLE, "unreachable: " + where, t);
            return new DialException(DialError.REFUSED, "connection refused by " + where, t);
        }
        if (msg.contains("unreachable")) return new DialException(DialError.UNREACHABLE, "unreachable: " + where, t);
        return new DialException(DialError.GENERAL, "cannot connect to " + where + ": " + t.getMessage(), t);
    }
}
