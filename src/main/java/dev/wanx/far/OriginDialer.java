package dev.wanx.far;

import dev.wanx.relay.Conduit;
import dev.wanx.relay.TcpDialer;
import dev.wanx.transport.DialError;
import dev.wanx.transport.DialException;
import dev.wanx.transport.StreamOpen;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Dials the origin a peer asked for, within the {@link EgressPolicy}. The host is resolved off the event loop,
 * every resolved address is checked, and the first allowed one is dialled <em>by address</em>: the address checked
 * is the address connected to, so DNS rebinding (a name that resolves differently on a second look-up) gains
 * nothing. Denials are logged once per attempt on {@code wanx.far} with the peer's name.
 *
 * <p>The returned future may complete on a resolver thread or an event loop; callers that need their own thread
 * should hop (e.g. {@code whenCompleteAsync(..., eventLoop)}).
 */
public final class OriginDialer {
    private static final Logger LOG = Logger.getLogger("wanx.far");

    /** Blocking name resolution; {@link InetAddress#getAllByName} by default, replaceable in tests. */
    @FunctionalInterface
    public interface HostResolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final TcpDialer dialer;
    private final EgressPolicy policy;
    private final HostResolver resolver;
    private final Executor executor;

    public OriginDialer(TcpDialer dialer, EgressPolicy policy) {
        this(dialer, policy, InetAddress::getAllByName, DefaultExecutor.INSTANCE);
    }

    /** {@code executor} runs the blocking look-ups; it should be bounded and reject rather than run inline. */
    public OriginDialer(TcpDialer dialer, EgressPolicy policy, HostResolver resolver, Executor executor) {
        this.dialer = Objects.requireNonNull(dialer, "dialer");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /**
     * Resolves, checks and connects. {@code firstData} (may be null; ownership passes) is written once connected,
     * and released on any failure. Fails with a {@link DialException}: DENIED when no resolved address is allowed,
     * UNKNOWN_HOST when the name does not resolve, or the connect error from {@link TcpDialer}.
     */
    public CompletableFuture<Conduit> dial(String peerName, StreamOpen dest, ByteBuf firstData) {
        return dial(peerName, dest, firstData, null);
    }

    /** As {@link #dial(String, StreamOpen, ByteBuf)}, connecting on {@code loop} where the dialer can (see TcpDialer). */
    public CompletableFuture<Conduit> dial(String peerName, StreamOpen dest, ByteBuf firstData, EventLoop loop) {
        CompletableFuture<InetAddress[]> resolved;
        InetAddress literal = TcpDialer.literal(dest.host());
        try {
            resolved = literal != null ? CompletableFuture.completedFuture(new InetAddress[] {literal})
                    : CompletableFuture.supplyAsync(() -> resolve(dest.host()), executor);
        } catch (RejectedExecutionException e) {
            return fail(firstData, new DialException(DialError.GENERAL, "too many pending DNS look-ups; try again"));
        }
        return resolved.handle((addresses, err) -> {
            if (err != null) {
                Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                return fail(firstData, cause);
            }
            InetAddress chosen = choose(peerName, dest, addresses);
            if (chosen == null) {
                return fail(firstData, new DialException(DialError.DENIED,
                        dest.hostPort() + " is not allowed by the far's egress policy"));
            }
            try {
                return dialer.dial(new InetSocketAddress(chosen, dest.port()), firstData, loop);
            } catch (RuntimeException e) { // e.g. the event loop group is shutting down
                return fail(firstData, new DialException(DialError.GENERAL, "cannot dial " + dest.hostPort() + ": " + e.getMessage()));
            }
        }).thenCompose(f -> f);
    }

    /** Checks every address; returns the first allowed one (or null) and logs what was refused, in one line. */
    private InetAddress choose(String peerName, StreamOpen dest, InetAddress[] addresses) {
        InetAddress chosen = null;
        List<String> refused = new ArrayList<>();
        for (InetAddress a : addresses) {
            EgressPolicy.Decision d = policy.check(a, dest.port());
            if (!d.allowed()) refused.add(d.reason());
            else if (chosen == null) chosen = a;
        }
        if (!refused.isEmpty()) {
            String msg = "peer " + peerName + ": " + dest.hostPort() + ": " + String.join("; ", refused);
            if (chosen == null) {
                LOG.warning(msg + " -> denied");
            } else if (LOG.isLoggable(Level.INFO)) {
                LOG.info(msg + " -> skipped; dialing " + chosen.getHostAddress());
            }
        }
        return chosen;
    }

    private InetAddress[] resolve(String host) {
        try {
            InetAddress[] all = resolver.resolve(host);
            if (all == null || all.length == 0) throw new UnknownHostException(host);
            return all;
        } catch (UnknownHostException e) {
            throw new CompletionException(new DialException(DialError.UNKNOWN_HOST, "unknown host " + host));
        } catch (RuntimeException e) {
            throw new CompletionException(new DialException(DialError.GENERAL, "cannot resolve " + host + ": " + e.getMessage()));
        }
    }

    private static CompletableFuture<Conduit> fail(ByteBuf firstData, Throwable cause) {
        if (firstData != null && firstData.refCnt() > 0) firstData.release();
        return CompletableFuture.failedFuture(cause);
    }

    /** A few daemon threads for look-ups; a full queue fails the dial rather than blocking an event loop. */
    private static final class DefaultExecutor {
        static final ExecutorService INSTANCE = new ThreadPoolExecutor(2, 4, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(512), r -> {
                    Thread t = new Thread(r, "wanx-far-dns");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
    }
}
