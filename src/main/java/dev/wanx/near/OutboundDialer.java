package dev.wanx.near;

import dev.wanx.relay.Conduit;
import dev.wanx.transport.StreamOpen;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;

/**
 * What a near front-end asks for once it knows the destination: a connected conduit, through the tunnel or
 * direct (routing and fail-forward decide). Completes exceptionally with a DialException to be mapped to
 * the client's protocol (HTTP 502/504, SOCKS reply codes).
 */
public interface OutboundDialer {
    /**
     * @param dest      destination and protocol hint
     * @param url       for plain-HTTP requests the absolute URL (for --accelerate matching), else null
     * @param firstData bytes to send with the open (e.g. the rewritten request), may be null; ownership passes
     */
    CompletableFuture<Conduit> dial(StreamOpen dest, String url, ByteBuf firstData);

    /**
     * {@link #dial} for a client that keeps sending without waiting for an answer (a port forward): through the
     * tunnel the conduit comes before the far confirmed the open and takes bytes at once, still failing forward to a
     * direct connection if the tunnel goes down first ({@link EarlyConduit}); an open the far refuses closes it with
     * the far's error. Direct, or by default, the same as {@code dial(dest, null, firstData)}.
     */
    default CompletableFuture<Conduit> dialEarly(StreamOpen dest, ByteBuf firstData) {
        return dial(dest, null, firstData);
    }

    /** {@link #dialEarly}, with a dialer that throws turned into a failed future. */
    static CompletableFuture<Conduit> dialEarlySafely(OutboundDialer dialer, StreamOpen dest, ByteBuf firstData) {
        try {
            return dialer.dialEarly(dest, firstData);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** {@link #dial}, with a dialer that throws turned into a failed future, so callers have one path. */
    static CompletableFuture<Conduit> dialSafely(OutboundDialer dialer, StreamOpen dest, String url, ByteBuf firstData) {
        try {
            return dialer.dial(dest, url, firstData);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
