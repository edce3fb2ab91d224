package dev.wanx.near;

import dev.wanx.relay.NettyTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.function.Consumer;

/** Binds a front-end's listening socket with the options every front-end needs. */
public final class Listeners {
    private Listeners() { }

    /**
     * Binds {@code listen}; each accepted channel is set up by {@code init}. Accepted channels start with
     * auto-read on and ALLOW_HALF_CLOSURE, so a client's FIN after a CONNECT is relayed as a half-close.
     */
    public static Channel bind(EventLoopGroup boss, EventLoopGroup workers, InetSocketAddress listen,
                               Consumer<SocketChannel> init) throws IOException {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NettyTransport.serverSocket())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override protected void initChannel(SocketChannel ch) {
                        init.accept(ch);
                    }
                });
        ChannelFuture f = b.bind(listen).awaitUninterruptibly();
        if (!f.isSuccess()) {
            Throwable c = f.cause();
            String msg = String.valueOf(c.getMessage());
            String why = msg.toLowerCase(Locale.ROOT).contains("in use") ? "address in use" : msg;
            throw new IOException("cannot listen on " + HostPortText.of(listen) + ": " + why, c);
        }
        return f.channel();
    }

    /** host:port text for messages, IPv6 in brackets. */
    static final class HostPortText {
        static String of(InetSocketAddress a) {
            String h = a.getHostString();
            return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + a.getPort();
        }
    }
}
