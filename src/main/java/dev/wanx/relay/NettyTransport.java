package dev.wanx.relay;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** Native epoll where available (Linux), NIO elsewhere; set -Dwanx.nio=true to force NIO. */
public final class NettyTransport {
    private static final boolean EPOLL = !Boolean.getBoolean("wanx.nio") && Epoll.isAvailable();

    private NettyTransport() { }

    public static boolean epoll() { return EPOLL; }

    public static EventLoopGroup group(int threads, String name) {
        DefaultThreadFactory tf = new DefaultThreadFactory(name, true);
        return EPOLL ? new EpollEventLoopGroup(threads, tf) : new NioEventLoopGroup(threads, tf);
    }

    /** Shuts groups down without waiting: for start-up failures, where nothing is worth draining. */
    public static void shutdownNow(EventLoopGroup... groups) {
        for (EventLoopGroup g : groups) g.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    public static Class<? extends SocketChannel> socket() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    public static Class<? extends ServerSocketChannel> serverSocket() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public static Class<? extends DatagramChannel> datagram() {
        return EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }
}
