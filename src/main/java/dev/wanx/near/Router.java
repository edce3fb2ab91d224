package dev.wanx.near;

import dev.wanx.config.EffectivePolicy;
import dev.wanx.near.status.StreamRegistry;
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
 * Decides, per connection, tunnel or direct. Destinations outside the accelerate policy ({@code --accelerate}, or
 * what the far pushed) go direct; so does everything while no session is up (fail-forward), and a stream whose open
 * fails because the tunnel went down. The far's own answers (refused, denied, timeout) are passed to the client as they are.
 */
public final class Router implements OutboundDialer {
    private final SessionManager sessions;
    private final TcpDialer direct;
    private final EffectivePolicy policy;
    private final ReductionService reduction;
    private final String farIdentity;

    /**
     * @param policy      accelerate, reduce and fail-forward-after in force, read for every new connection (a far's
     *                    push changes them without a restart)
     * @param reduction   null to carry bytes as they are
     * @param farIdentity stable name of the far for the dictionary's per-peer membership (its public key)
     */
    private final StreamRegistry streams = new StreamRegistry();

    public Router(SessionManager sessions, TcpDialer direct, EffectivePolicy policy, ReductionService reduction, String farIdentity) {
        this.sessions = sessions;
        this.direct = direct;
        this.policy = policy;
        this.reduction = reduction;
        this.farIdentity = farIdentity;
    }

    /** With fixed values a far's push may change (nothing set explicitly). */
    public Router(SessionManager sessions, TcpDialer direct, Pattern accelerate, Duration failForwardAfter,
                  ReductionService reduction, String farIdentity) {
        this(sessions, direct, EffectivePolicy.defaults(accelerate, reduction != null, failForwardAfter), reduction, farIdentity);
    }

    /** The tunneled streams open now (for status). */
    public StreamRegistry streams() { return streams; }

    /** Whether the accelerate policy selects this destination (host:port, or for plain HTTP the URL). */
    public boolean accelerated(StreamOpen dest, String url) {
        return accelerated(policy.accelerate(), dest, url);
    }

    private static boolean accelerated(Pattern accelerate, StreamOpen dest, String url) {
        if (accelerate == null || dev.wanx.transport.ReservedHosts.WARM.equals(dest.host())) return true; // `wanx warm` needs the far
        return accelerate.matcher(dest.hostPort()).find() || (url != null && accelerate.matcher(url).find());
    }

    @Override public CompletableFuture<Conduit> dial(StreamOpen dest, String url, ByteBuf firstData) {
        EffectivePolicy.Snapshot p = policy.snapshot(); // one consistent view for this connection
        if (!accelerated(p.accelerate(), dest, url)) return direct.dial(dest.host(), dest.port(), firstData);
        boolean reduce = p.reduce() && reduction != null;
        return sessions.sessionWithin(p.failForwardAfter()).thenCompose(session -> {
            if (session == null) return direct.dial(dest.host(), dest.port(), firstData);
            return viaTunnel(session, dest, firstData, reduce);
        });
    }

    @Override public CompletableFuture<Conduit> dialEarly(StreamOpen dest, ByteBuf firstData) {
        EffectivePolicy.Snapshot p = policy.snapshot();
        if (!accelerated(p.accelerate(), dest, null)) return direct.dial(dest.host(), dest.port(), firstData);
        boolean reduce = p.reduce() && reduction != null;
        return sessions.sessionWithin(p.failForwardAfter()).thenCompose(session -> {
            if (session == null) return direct.dial(dest.host(), dest.port(), firstData);
            TunnelStream stream = session.openNow(dest, reduce ? StreamFlags.REDUCE : 0);
            ReducingConduit reduced = reduce ? reduction.wrap(stream, farIdentity, dest.hint()) : null;
            Conduit tunnel = streams.track(reduced != null ? reduced : stream, dest.hostPort(), reduced != null ? reduced.stats() : null);
            if (firstData != null) tunnel.write(firstData.retainedDuplicate()); // the original stays for a replay
            return CompletableFuture.completedFuture(new EarlyConduit(tunnel, stream.opened(), firstData,
                    () -> direct.dial(dest.host(), dest.port(), null)));
        });
    }

    private CompletableFuture<Conduit> viaTunnel(TunnelSession session, StreamOpen dest, ByteBuf firstData, boolean reduce) {
        // The tunnel takes a duplicate so the original is still there if we must go direct after all.
        ByteBuf copy = firstData == null ? null : firstData.retainedDuplicate();
        CompletableFuture<? extends Conduit> opened;
        if (reduce) {
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
                return CompletableFuture.completedFuture(streams.track(stream, dest.hostPort(),
                        stream instanceof ReducingConduit r ? r.stats() : null));
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
