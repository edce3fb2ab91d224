package dev.wanx.near;

import dev.wanx.config.EffectivePolicy;
import dev.wanx.config.NearPolicy;
import dev.wanx.crypto.KeyFiles;
import dev.wanx.near.status.ControlSocket;
import dev.wanx.near.status.StatusReport;
import dev.wanx.discovery.FleetStore;
import dev.wanx.crypto.X25519KeyPair;
import dev.wanx.reduce.ReduceSettings;
import dev.wanx.reduce.ReductionService;
import dev.wanx.transport.path.PathMemory;
import dev.wanx.transport.path.RocksPathMemory;
import dev.wanx.relay.NettyTransport;
import dev.wanx.relay.TcpDialer;
import dev.wanx.near.forward.ForwardFrontend;
import dev.wanx.near.http.HttpProxyFrontend;
import dev.wanx.near.socks.Socks5Frontend;
import dev.wanx.transport.FrameLink;
import dev.wanx.transport.TunnelSession;
import dev.wanx.transport.session.MuxOptions;
import dev.wanx.transport.session.MuxSession;
import dev.wanx.transport.tcp.TcpCarrier;
import dev.wanx.transport.udp.UdpCarrier;
import dev.wanx.transport.udp.UdpOptions;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/** A running near end: the front-ends, the router (tunnel or direct) and the session to the far. */
public final class NearServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("wanx.near");
    /** With --transport auto, how long UDP gets before the TCP carrier is tried. */
    static final Duration UDP_GRACE = Duration.ofMillis(1000);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final SessionManager sessions;
    private final List<Channel> listeners;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final ReductionService reduction;
    private final PathMemory paths;
    private final EffectivePolicy policy;
    private final ControlSocket control;

    private NearServer(EventLoopGroup boss, EventLoopGroup workers, SessionManager sessions, List<Channel> listeners,
                       ReductionService reduction, PathMemory paths, EffectivePolicy policy, ControlSocket control) {
        this.policy = policy;
        this.control = control;
        this.reduction = reduction;
        this.paths = paths;
        this.boss = boss;
        this.workers = workers;
        this.sessions = sessions;
        this.listeners = listeners;
    }

    public static NearServer start(NearConfig config) throws IOException {
        X25519KeyPair key = KeyFiles.readPrivate(config.key());
        byte[] farKey = KeyFiles.readPublic(config.peerKey());
        // before anything starts: a budget MuxOptions refuses must not leave threads behind
        MuxOptions mux = MuxOptions.defaults().withSessionBudget(config.sessionBudget())
                .withPeerSilenceMs(config.failForwardAfter().toMillis());
        EventLoopGroup boss = NettyTransport.group(1, "wanx-near-accept");
        EventLoopGroup workers = NettyTransport.group(0, "wanx-near");
        SecureRandom random = new SecureRandom();
        PathMemory paths = RocksPathMemory.openOrNone(config.stateDir(), config.pathHistory());
        CarrierConnector connector = connector(config.transport(), workers, key, random, paths);
        SessionManager sessions = new SessionManager(config.peers(), farKey, FleetStore.open(config.stateDir()), connector, workers, mux);
        ReductionService reduction;
        try {
            reduction = ReductionService.open(config.reduce());
        } catch (IOException e) {
            NettyTransport.shutdownNow(boss, workers);
            RocksPathMemory.closeQuietly(paths);
            throw e;
        }
        EffectivePolicy policy = new EffectivePolicy(config.accelerate(), reduction != null, config.failForwardAfter(), true,
                config.policySources());
        sessions.onSessionUp(s -> takePolicyFrom(s, policy));
        policy.addListener(() -> { // fec follows the policy on the live session; later sessions start with it
            if (sessions.current() instanceof MuxSession m) m.setFecAllowed(policy.fecAllowed());
        });
        Router router = new Router(sessions, new TcpDialer(workers, 10_000), policy,
                reduction, "far:" + java.util.Base64.getEncoder().encodeToString(farKey));
        List<Channel> listeners = new ArrayList<>();
        try {
            if (config.httpProxy() != null) {
                listeners.add(HttpProxyFrontend.bind(boss, workers, config.httpProxy(), router));
            }
            if (config.socks() != null) {
                listeners.add(Socks5Frontend.bind(boss, workers, config.socks(), router, config.socksUser(), config.socksPassword(), FrontendLimits.DEFAULTS));
            }
            for (Forward f : config.forwards()) {
                listeners.add(ForwardFrontend.bind(boss, workers, f, router));
            }
        } catch (IOException | RuntimeException e) {
            listeners.forEach(Channel::close);
            if (reduction != null) reduction.close();
            NettyTransport.shutdownNow(boss, workers);
            RocksPathMemory.closeQuietly(paths);
            throw e;
        }
        sessions.start();
        for (Channel l : listeners) LOG.info("near listening on " + l.localAddress());
        ControlSocket control = ControlSocket.open(config.stateDir(), new StatusReport(sessions, policy, router.streams())::answer);
        return new NearServer(boss, workers, sessions, listeners, reduction, paths, policy, control);
    }

    /** A new session: apply the policy's fec to it, and take every policy its far pushes (CONFIG frames). */
    private static void takePolicyFrom(TunnelSession session, EffectivePolicy policy) {
        if (!(session instanceof MuxSession m)) return;
        m.setFecAllowed(policy.fecAllowed());
        String name = m.peerName().startsWith("far:") ? m.peerName().substring(4) : m.peerName();
        String far = name.startsWith("/") ? name.substring(1) : name; // an InetSocketAddress without a host name
        m.setConfigListener(bytes -> {
            NearPolicy.Decoded d = NearPolicy.decode(bytes);
            if (d.ok()) policy.applyPushed(d.policy(), far);
            else LOG.warning("far " + far + " sent a near policy this near cannot read, ignored: " + d.error());
        });
    }

    /** UDP, TCP, or UDP first with TCP after a short grace (UDP may be blocked on the path). */
    static CarrierConnector connector(NearConfig.Transport transport, EventLoopGroup group, X25519KeyPair key,
                                      SecureRandom random, PathMemory paths) {
        CarrierConnector udp = (far, farKey) -> UdpCarrier.connect(group, far, key, farKey, UdpOptions.defaults(), paths);
        CarrierConnector tcp = (far, farKey) -> TcpCarrier.connect(group, far, key, farKey, Duration.ofSeconds(3), random,
                NearServer::wallClockNanos);
        return switch (transport) {
            case UDP -> udp;
            case TCP -> tcp;
            case AUTO -> (far, farKey) -> {
                CompletableFuture<FrameLink> result = new CompletableFuture<>();
                java.util.concurrent.atomic.AtomicBoolean tcpStarted = new java.util.concurrent.atomic.AtomicBoolean();
                CompletableFuture<FrameLink> u = udp.connect(far, farKey);
                Runnable startTcp = () -> {
                    if (result.isDone() || !tcpStarted.compareAndSet(false, true)) return;
                    tcp.connect(far, farKey).whenComplete((link, err) -> {
                        if (err == null) {
                            if (!result.complete(link)) link.close("udp carrier won");
                        } else {
                            u.whenComplete((l2, e2) -> { if (e2 != null) result.completeExceptionally(err); });
                        }
                    });
                };
                u.whenComplete((link, err) -> {
                    if (err == null) {
                        if (!result.complete(link)) link.close("tcp carrier won");
                    } else {
                        startTcp.run(); // UDP failed outright: no need to wait out the grace
                    }
                });
                group.schedule(startTcp, UDP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                return result;
            };
        };
    }

    static long wallClockNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    public SessionManager sessions() { return sessions; }

    /** The near-side policy in force (local settings, the far's push, defaults) and where each value comes from. */
    public EffectivePolicy policy() { return policy; }

    /** The data-reduction service, or null when reduction is off. */
    public ReductionService reduction() { return reduction; }

    /** The near's worker event loops (for tools and tests that dial with the same transport). */
    public EventLoopGroup eventLoops() { return workers; }

    /** Addresses actually bound, in the order: http proxy, socks, forwards (those configured). */
    public List<InetSocketAddress> boundAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (Channel c : listeners) out.add((InetSocketAddress) c.localAddress());
        return out;
    }

    public void awaitClose() throws InterruptedException { closed.await(); }

    @Override public void close() {
        if (control != null) control.close();
        listeners.forEach(c -> c.close().syncUninterruptibly());
        sessions.close();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        if (reduction != null) reduction.close(); // after the loops: no stream uses it any more
        RocksPathMemory.closeQuietly(paths); // after the loops: sessions saved their paths as they closed
        closed.countDown();
    }
}
