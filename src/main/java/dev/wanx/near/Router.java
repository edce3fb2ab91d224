package dev.wanx.near;

import dev.wanx.relay.Conduit;
import dev.wanx.reduce.ReducingConduit;
import dev.wanx.reduce.ReductionService;
import dev.wanx.relay.TcpDialer;
import dev.wanx.transport.StreamFlags;
import dev.wanx.transport.TunnelStream;
import dev.wanx.transport.DialError;
import dev.wanx.transport.DialException;
import dev.wanx.transport.StreamOpen;
import dev.wanx.transport.TunnelSession;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Decides, per connection, tunnel or direct. Destinations outside {@code --accelerate} go direct; so does
 * everything while no session is up (fail-forward), and a stream whose open fails because the tunnel went
 * down. The far's own answers (refused, denied, timeout) are passed to the client as they are.
 */
public final class Router implements OutboundDialer {
    private final SessionManager sessions;
    private final TcpDialer direct;
    private final Pattern accelerate;
    private final Duration failForwardAfter;
    private final ReductionService reduction;
    private final String farIdentity;

    /**
     * @param reduction   null to carry bytes as they are
     * @param farIdentity stable name of the far for the dictionary's per-peer membership (its public key)
     */
    public Router(SessionManager sessions, TcpDialer direct, Pattern accelerate, Duration failForwardAfter,
                  ReductionService reduction, String farIdentity) {
        this.sessions = sessions;
        this.direct = direct;
        this.accelerate = accelerate;
        this.failForwardAfter = failForwardAfter;
        this.reduction = reduction;
        this.farIdentity = farIdentity;
    }

    /** Whether {@code --accelerate} selects this destination (host:port, or for plain HTTP the URL). */
    public boolean accelerated(StreamOpen dest, String url) {
        if (accelerate == null || dev.wanx.transport.ReservedHosts.WARM.equals(dest.host())) return true; // `wanx warm` needs the far
        return accelerate.matcher(dest.hostPort()).find() || (url != null && accelerate.matcher(url).find());
    }

    @Override public CompletableFuture<Conduit> dial(StreamOpen dest, String url, ByteBuf firstData) {
        if (!accelerated(dest, url)) return direct.dial(dest.host(), dest.port(), firstData);
        return sessions.sessionWithin(failForwardAfter).thenCompose(session -> {
            if (session == null) return direct.dial(dest.host(), dest.port(), firstData);
            return viaTunnel(session, dest, firstData);
        });
    }

    private CompletableFuture<Conduit> viaTunnel(TunnelSession session, StreamOpen dest, ByteBuf firstData) {
        // The tunnel takes a duplicate so the original is still there if we must go direct after all.
        ByteBuf copy = firstData == null ? null : firstData.retainedDuplicate();
        CompletableFuture<? extends Conduit> opened;
        if (reduction != null) {
            // Open at once and write through the codec: the first bytes still leave before the far answers.
            TunnelStream stream = session.openNow(dest, StreamFlags.REDUCE);
            ReducingConduit reduced = reduction.wrap(stream, farIdentity, dest.hint());
            if (copy != null) reduced.write(copy);
            opened = stream.opened().handle((s, err) -> {
                if (err == null) return reduced;
                reduced.abort(err); // never handed to a relay: free its codec state here
                throw err instanceof java.util.concurrent.CompletionException c ? c : new java.util.concurrent.CompletionException(err);
            });
        } else {
            opened = session.openStream(dest, copy);
        }
        return opened.handle((stream, err) -> {
            if (err == null) {
                if (firstData != null) firstData.release();
                return CompletableFuture.<Conduit>completedFuture(stream);
            }
            Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
            if (cause instanceof DialException d && d.error() == DialError.TUNNEL_DOWN) {
                return direct.dial(dest.host(), dest.port(), firstData);
            }
            if (firstData != null) firstData.release();
            return CompletableFuture.<Conduit>failedFuture(cause);
        }).thenCompose(f -> f);
    }
}
