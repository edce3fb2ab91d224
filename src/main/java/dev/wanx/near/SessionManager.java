package dev.wanx.near;

import dev.wanx.transport.FrameLink;
import dev.wanx.transport.TunnelSession;
import dev.wanx.transport.session.MuxOptions;
import dev.wanx.transport.session.MuxSession;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Keeps one tunnel session up: dials every far candidate at once and keeps the first that answers; when the
 * session drops, retries with backoff. Callers ask for a session with a deadline and go direct when none is
 * ready in time, so the tunnel never makes an app connection fail. Logs each up/down switch once.
 */
public final class SessionManager implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("wanx.near");
    private static final long[] BACKOFF_MS = {250, 500, 1000, 2000, 4000};

    private final List<InetSocketAddress> peers;
    private final Function<InetSocketAddress, CompletableFuture<FrameLink>> connector;
    private final ScheduledExecutorService timer;
    private final MuxOptions muxOptions;
    private final Object lock = new Object();
    private volatile TunnelSession session;
    private CompletableFuture<TunnelSession> attempt;   // in progress, or null
    private int failures;
    private boolean wasUp;
    private boolean loggedDown;
    private volatile boolean closed;
    private volatile Consumer<TunnelSession> onSessionUp = s -> { };

    public SessionManager(List<InetSocketAddress> peers, CarrierConnector connector, ScheduledExecutorService timer, MuxOptions muxOptions) {
        this.peers = List.copyOf(peers);
        this.connector = connector::connect;
        this.timer = timer;
        this.muxOptions = muxOptions;
    }

    /** Called with each session as it comes up (e.g. to take the far's pushed policy), just after it is logged up. */
    public void onSessionUp(Consumer<TunnelSession> callback) { this.onSessionUp = callback; }

    /** Starts the first connection attempt. */
    public void start() { connectNow(); }

    /** The live session, or null. */
    public TunnelSession current() {
        TunnelSession s = session;
        return s != null && s.isActive() ? s : null;
    }

    /**
     * A live session, waiting up to {@code wait} for an attempt in progress; completes with null when there is
     * none in time (the caller goes direct). Once an attempt has failed, nobody waits for the retries: while
     * the far is down every connection goes direct at once. Never completes exceptionally.
     */
    public CompletableFuture<TunnelSession> sessionWithin(Duration wait) {
        TunnelSession s = current();
        if (s != null) return CompletableFuture.completedFuture(s);
        CompletableFuture<TunnelSession> a;
        synchronized (lock) {
            a = failures > 0 ? null : attempt;
        }
        if (a == null) return CompletableFuture.completedFuture(null);
        CompletableFuture<TunnelSession> r = new CompletableFuture<>();
        a.whenComplete((ok, err) -> r.complete(err == null ? ok : null));
        timer.schedule(() -> r.complete(null), wait.toMillis(), TimeUnit.MILLISECONDS);
        return r;
    }

    private void connectNow() {
        CompletableFuture<TunnelSession> a = new CompletableFuture<>();
        synchronized (lock) {
            if (closed || attempt != null) return;
            attempt = a;
        }
        AtomicInteger pending = new AtomicInteger(peers.size());
        StringBuilder errors = new StringBuilder();
        for (InetSocketAddress peer : peers) {
            CompletableFuture<FrameLink> f;
            try {
                f = connector.apply(peer);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((link, err) -> {
                if (err == null) {
                    MuxSession s = new MuxSession(link, true, muxOptions);
                    if (!a.complete(s)) s.close("another far answered first"); // parallel dial: keep the first
                } else {
                    synchronized (errors) {
                        errors.append(errors.length() == 0 ? "" : "; ").append(rootMessage(err));
                    }
                    if (pending.decrementAndGet() == 0) a.completeExceptionally(new java.io.IOException(errors.toString()));
                }
            });
        }
        a.whenComplete(this::onAttemptDone);
    }

    private void onAttemptDone(TunnelSession s, Throwable err) {
        synchronized (lock) {
            attempt = null;
            if (closed) {
                if (s != null) s.close("near shutting down");
                return;
            }
            if (err != null) {
                failures++;
                if (!loggedDown) {
                    loggedDown = true;
                    LOG.warning((wasUp ? "tunnel down" : "tunnel not available") + ", new connections go direct: " + rootMessage(err));
                }
                long delay = BACKOFF_MS[Math.min(failures - 1, BACKOFF_MS.length - 1)];
                timer.schedule(this::connectNow, delay, TimeUnit.MILLISECONDS);
                return;
            }
            failures = 0;
            wasUp = true;
            loggedDown = false;
            session = s;
        }
        LOG.info("tunnel up: " + s.peerName() + " over " + s.carrier());
        try {
            onSessionUp.accept(s);
        } catch (RuntimeException e) {
            LOG.warning("session-up callback failed: " + e);
        }
        s.closeFuture().whenComplete((cause, e) -> onSessionClosed(s, cause));
    }

    private void onSessionClosed(TunnelSession s, Throwable cause) {
        synchronized (lock) {
            if (session == s) session = null;
            if (closed) return;
            if (!loggedDown) {
                loggedDown = true;
                LOG.warning("tunnel down (" + (cause == null ? "closed" : rootMessage(cause)) + "), new connections go direct");
            }
        }
        connectNow();
    }

    private static String rootMessage(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }

    @Override public void close() {
        TunnelSession s;
        synchronized (lock) {
            closed = true;
            s = session;
            session = null;
        }
        if (s != null) s.close("near shutting down");
    }
}
