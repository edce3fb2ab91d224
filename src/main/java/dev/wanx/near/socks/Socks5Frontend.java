package dev.wanx.near.socks;

import dev.wanx.near.FrontendLimits;
import dev.wanx.near.Listeners;
import dev.wanx.near.OutboundDialer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5ServerEncoder;
import java.io.IOException;
import java.net.InetSocketAddress;

/** SOCKS5 (RFC 1928) with optional username/password auth (RFC 1929); CONNECT only. */
public final class Socks5Frontend {
    static final String ENCODER = "socks5-encoder";
    static final String DECODER = "socks5-decoder";
    static final String HANDLER = "socks5-server";

    private Socks5Frontend() { }

    /** No authentication, default limits. */
    public static Channel bind(EventLoopGroup boss, EventLoopGroup workers, InetSocketAddress listen,
                               OutboundDialer dialer) throws IOException {
        return bind(boss, workers, listen, dialer, null, null, FrontendLimits.DEFAULTS);
    }

    /**
     * @param user     RFC 1929 username, or null to accept clients without authentication
     * @param password RFC 1929 password (required when {@code user} is set)
     */
    public static Channel bind(EventLoopGroup boss, EventLoopGroup workers, InetSocketAddress listen,
                               OutboundDialer dialer, String user, String password, FrontendLimits limits)
            throws IOException {
        Socks5Credentials creds = user == null ? null : new Socks5Credentials(user, password == null ? "" : password);
        return Listeners.bind(boss, workers, listen, ch -> init(ch.pipeline(), dialer, creds, limits));
    }

    /** The handshake pipeline; the handler takes it down and hands the channel to a Relay after CONNECT. */
    static void init(ChannelPipeline p, OutboundDialer dialer, Socks5Credentials creds, FrontendLimits limits) {
        p.addLast(ENCODER, Socks5ServerEncoder.DEFAULT);
        p.addLast(DECODER, new Socks5InitialRequestDecoder());
        p.addLast(HANDLER, new Socks5ServerHandler(dialer, creds, limits.handshakeTimeout()));
    }
}
