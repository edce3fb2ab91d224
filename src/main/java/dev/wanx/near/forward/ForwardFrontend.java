package dev.wanx.near.forward;

import dev.wanx.near.DialFailures;
import dev.wanx.near.Forward;
import dev.wanx.near.Listeners;
import dev.wanx.near.OutboundDialer;
import dev.wanx.relay.ChannelConduit;
import dev.wanx.relay.Conduit;
import dev.wanx.relay.Relay;
import dev.wanx.transport.StreamOpen;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A static port forward: every accepted connection is dialed to the forward's fixed destination and relayed.
 * There is no protocol to report errors in, so a failed dial resets the client connection (through the tunnel, once
 * the far's refusal arrives: the relay has already started).
 */
public final class ForwardFrontend {
    private static final Logger LOG = Logger.getLogger(ForwardFrontend.class.getName());

    private ForwardFrontend() { }

    /** Listens on {@code forward.listen()}. */
    public static Channel bind(EventLoopGroup boss, EventLoopGroup workers, Forward forward, OutboundDialer dialer)
            throws IOException {
        return bind(boss, workers, forward.listen(), forward, dialer);
    }

    /** Listens on {@code listen} (e.g. port 0 in tests) for {@code forward}'s destination. */
    public static Channel bind(EventLoopGroup boss, EventLoopGroup workers, InetSocketAddress listen,
                               Forward forward, OutboundDialer dialer) throws IOException {
        StreamOpen dest = new StreamOpen(forward.host(), forward.port(), forward.hint());
        return Listeners.bind(boss, workers, listen, ch -> accept(ch, dest, dialer));
    }

    static void accept(SocketChannel ch, StreamOpen dest, OutboundDialer dialer) {
        ch.pipeline().addLast("firstBytes", new FirstBytes(first -> dial(ch, dest, dialer, first)));
    }

    /**
     * With the client's first bytes (or null): they go with the dial, so the tunnel's open costs no round trip, and
     * through the tunnel the relay starts before the far answers (an upload fills the first round trip).
     */
    private static void dial(SocketChannel ch, StreamOpen dest, OutboundDialer dialer, io.netty.buffer.ByteBuf first) {
        // Auto-read is off from here: the client's later bytes wait in the kernel (and its window) until the dial is done.
        ChannelConduit client = ChannelConduit.attach(ch);
        CompletableFuture<Conduit> dialed = OutboundDialer.dialEarlySafely(dialer, dest, first);
        dialed.whenComplete((upstream, err) -> {
            if (err != null) {
                LOG.log(Level.FINE, () -> "forward to " + dest + " failed: " + DialFailures.unwrap(err).getMessage());
                client.abort(err);
            } else if (!ch.isOpen()) {
                upstream.abort(new IOException("client went away during dial"));
            } else {
                Relay.join(client, upstream);
            }
        });
    }
}
