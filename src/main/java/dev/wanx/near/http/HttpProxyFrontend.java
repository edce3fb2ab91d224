package dev.wanx.near.http;

import dev.wanx.near.FrontendLimits;
import dev.wanx.near.Listeners;
import dev.wanx.near.OutboundDialer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** HTTP/1.1 forward proxy: absolute-form requests and CONNECT tunnels. */
public final class HttpProxyFrontend {
    static final String HEAD_TIMEOUT = "http-head-timeout";
    static final String IDLE = "http-idle";
    static final String CODEC = "http-codec";
    static final String PROXY = "http-proxy";
    /** Handlers that only make sense while the connection speaks HTTP; a CONNECT removes them. */
    static final List<String> HTTP_HANDLERS = List.of(CODEC, HEAD_TIMEOUT, IDLE);

    private HttpProxyFrontend() { }

    public static Channel bind(EventLoopGroup boss, EventLoopGroup workers, InetSocketAddress listen,
                               OutboundDialer dialer) throws IOException {
        return bind(boss, workers, listen, dialer, FrontendLimits.DEFAULTS);
    }

    public static Channel bind(EventLoopGroup boss, EventLoopGroup workers, InetSocketAddress listen,
                               OutboundDialer dialer, FrontendLimits limits) throws IOException {
        return Listeners.bind(boss, workers, listen, ch -> init(ch.pipeline(), dialer, limits));
    }

    static void init(ChannelPipeline p, OutboundDialer dialer, FrontendLimits limits) {
        HeadTimeoutHandler headTimeout = new HeadTimeoutHandler(limits.headerTimeout());
        p.addLast(HEAD_TIMEOUT, headTimeout);
        p.addLast(IDLE, new IdleStateHandler(0, 0, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        p.addLast(CODEC, new HttpServerCodec(limits.maxInitialLine(), limits.maxHeaderSize(), 64 * 1024));
        p.addLast(PROXY, new HttpProxyHandler(dialer, headTimeout));
    }
}
