package dev.wanx.near;

import dev.wanx.discovery.Announcement;
import dev.wanx.discovery.FarChooser;
import dev.wanx.discovery.FleetMember;
import dev.wanx.discovery.FleetStore;
import dev.wanx.transport.FrameLink;
import dev.wanx.transport.HostPort;
import dev.wanx.transport.TunnelSession;
import dev.wanx.transport.session.MuxOptions;
import dev.wanx.transport.session.MuxSession;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Keeps one tunnel session up. Each attempt is one probe round ({@link ProbeRound}): the handshake goes to every
 * candidate far at once (the fleet the fars announced, else the --peer seeds; a name resolving to several
 * addresses gives several candidates) and the best answer by RTT and load is kept. When the session drops, the
 * next round starts at once (failover), then with backoff while nothing answers. Callers ask for a session with
 * a deadline and go direct when none is ready in time, so the tunnel never makes an app connection fail.
 */
public final class SessionManager implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("wanx.near");
    private static final long[] BACKOFF_MS = {250, 500, 1000, 2000, 4000};

    private final List<FleetMember> seeds;
    private final byte[] seedKey;
    private final FleetStore fleet;
    private final CarrierConnector connector;
    private final ScheduledExecutorService timer;
    private final MuxOptions muxOptions;
    private final ExecutorService resolver = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "wanx-resolve"); // DNS look-ups block: never on an event loop
        t.setDaemon(true);
        return t;
    });
    private final ProbeLog probes = new ProbeLog();
    private final Object lock = new Object();
    private volatile TunnelSession session;
    private volatile String choiceReason = "";
    private volatile Announcement announcement;
    private CompletableFuture<TunnelSession> attempt;   // in progress, or null
    private int failures;
    private boolean seedsNext;
    private boolean wasUp;
    private boolean loggedDown;
    private volatile boolean closed;
    private volatile Consumer<TunnelSession> onSessionUp = s -> { };

    /**
     * @param seeds   the --peer addresses (names are resolved at every attempt)
     * @param seedKey the --peer-key, also for fleet members announced without a key of their own
     * @param fleet   the fleet the fars announced (kept across restarts)
     */
    public SessionManager(List<InetSocketAddress> seeds, byte[] seedKey, FleetStore fleet, CarrierConnector connector,
                          ScheduledExecutorService timer, MuxOptions muxOptions) {
        this.seeds = seeds.stream().map(a -> new FleetMember(new HostPort(a.getHostString(), a.getPort()), null)).toList();
        this.seedKey = seedKey.clone();
        this.fleet = fleet;
        this.connector = connector;
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

    /** Why the current far was chosen ("" before the first session). */
    public String choiceReason() { return choiceReason; }

    /** What the bound far announced in its handshake reply (null before the first session or from an old far). */
    public Announcement announcement() { return announcement; }

    /** The last probe result of every far probed, for status. */
    public List<ProbeLog.Result> probes() { return probes.results(); }

    /** The fleet known to this near (announced by the fars, kept in the state folder). */
    public FleetStore fleet() { return fleet; }

    /**
     * A live session, waiting up to {@code wait} for an attempt in progress; completes with null when there is
     * none in time (the caller goes direct). Once an attempt has failed, nobody waits for the retries: while
     * every far is down every connection goes direct at once. Never completes exceptionally.
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

    /** The fleet when one is known, else the seeds; after a round where no fleet member answered, the seeds once. */
    private List<FleetMember> candidates() {
        List<FleetMember> known = fleet.members();
        if (known.isEmpty() || seedsNext) return seeds;
        return known;
    }

    private void connectNow() {
        CompletableFuture<TunnelSession> a = new CompletableFuture<>();
        List<FleetMember> candidates;
        boolean fromFleet;
        synchronized (lock) {
            if (closed || attempt != null) return;
            attempt = a;
            candidates = candidates();
            fromFleet = candidates != seeds;
            seedsNext = false;
        }
        a.whenComplete((s, err) -> onAttemptDone(s, err, fromFleet));
        try {
            resolver.execute(() -> {
                warmUpOnce();
                List<ProbeRound.Target> targets = ProbeRound.resolve(candidates, seedKey, probes);
                try {
                    timer.execute(() -> new ProbeRound(targets, connector, timer, probes, this::bind, a).start());
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    a.completeExceptionally(new java.io.IOException("near shutting down"));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closing) { // close() raced this attempt
            a.completeExceptionally(new java.io.IOException("near shutting down"));
        }
    }

    private boolean warmedUp; // resolver thread only

    /**
     * Before the first probe round: a fresh JVM's first handshakes are slow (class loading, interpretation), and a
     * probe round measures every far's RTT through them. About half a second once; connections wait for it as for
     * any attempt (up to the fail-forward delay), then go direct.
     */
    private void warmUpOnce() {
        if (warmedUp) return;
        warmedUp = true;
        long ms = dev.wanx.crypto.HandshakeWarmup.run(WARM_UP_ROUNDS);
        LOG.fine(() -> "handshake path warmed up in " + ms + " ms");
    }

    static final int WARM_UP_ROUNDS = 30;

    /** The chosen far's link becomes the session. */
    private TunnelSession bind(FrameLink link, Announcement ann, String reason) {
        choiceReason = reason;
        announcement = null; // a new far: not the last one's load
        take(ann, link.peerName());
        MuxSession s = new MuxSession(link, true, muxOptions);
        // The far's fleet changed while this session is up: the next session uses it.
        s.setAnnouncementListener(bytes -> take(Announcement.decode(bytes), link.peerName()));
        return s;
    }

    /** What the bound far announced: kept for status, and its fleet (when included) remembered. */
    private void take(Announcement a, String far) {
        if (a == null) return;
        announcement = a;
        if (a.fleet() != null) fleet.update(a.fleet(), far);
    }

    private void onAttemptDone(TunnelSession s, Throwable err, boolean fromFleet) {
        synchronized (lock) {
            attempt = null;
            if (closed) {
                if (s != null) s.close("near shutting down");
                return;
            }
            if (err != null) {
                failures++;
                seedsNext = fromFleet && !seeds.isEmpty();
                if (!loggedDown) {
                    loggedDown = true;
                    LOG.warning((wasUp ? "tunnel down" : "tunnel not available") + ", new connections go direct: " + rootMessage(err));
                }
                long delay = seedsNext ? 0 : BACKOFF_MS[Math.min(failures - 1, BACKOFF_MS.length - 1)];
                timer.schedule(this::connectNow, delay, TimeUnit.MILLISECONDS);
                return;
            }
            failures = 0;
            wasUp = true;
            loggedDown = false;
            session = s;
        }
        LOG.info("tunnel up: " + s.peerName() + " over " + s.carrier() + " (" + choiceReason + ")");
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
                LOG.warning("tunnel down (" + (cause == null ? "closed" : rootMessage(cause)) + "), probing the fleet; new connections go direct meanwhile");
            }
        }
        connectNow(); // failover: the next round starts at once, and the far that went silent will not answer it
    }

    static String rootMessage(Throwable t) {
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
        resolver.shutdownNow();
        fleet.close();
    }
}
