package dev.wanx.far;

import java.util.concurrent.CompletableFuture;

import dev.wanx.config.NearPolicy;
import dev.wanx.relay.Conduit;

import dev.wanx.crypto.AuthorizedKeys;
import dev.wanx.discovery.Announcement;
import dev.wanx.discovery.FleetSource;
import dev.wanx.crypto.HandshakeReplayGuard;
import dev.wanx.crypto.KeyFiles;
import dev.wanx.crypto.X25519KeyPair;
import dev.wanx.reduce.ReductionService;
import dev.wanx.transport.path.PathMemory;
import dev.wanx.transport.path.RocksPathMemory;
import dev.wanx.relay.NettyTransport;
import dev.wanx.transport.DialError;
import dev.wanx.transport.StreamFlags;
import dev.wanx.transport.TunnelStream;
import dev.wanx.relay.Relay;
import dev.wanx.relay.TcpDialer;
import dev.wanx.transport.FrameLink;
import dev.wanx.transport.IncomingStream;
import dev.wanx.transport.session.MuxOptions;
import dev.wanx.transport.session.MuxSession;
import dev.wanx.transport.tcp.TcpCarrierServer;
import dev.wanx.transport.udp.UdpOptions;
import dev.wanx.transport.udp.UdpServer;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A running far end: accepts authorized nears over UDP and TCP (same port number), and for every stream they
 * open dials the destination under the egress policy and relays both ways.
 */
public final class FarServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("wanx.far");

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final TcpCarrierServer tcp;
    private final UdpServer udp;
    private final Set<MuxSession> sessions = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closed = new CountDownLatch(1);

    private final ReductionService reduction;
    private final WarmFileServer warm;
    private final TcpDialer dialer;
    private final PathMemory paths;
    private final PolicyFile nearPolicy;
    private final FleetSource fleet;
    private final FleetSettings fleetSettings;

    private FarServer(EventLoopGroup boss, EventLoopGroup workers, TcpCarrierServer tcp, UdpServer udp, ReductionService reduction,
                      WarmFileServer warm, TcpDialer dialer, PathMemory paths, PolicyFile nearPolicy, FleetSource fleet,
                      FleetSettings fleetSettings) {
        this.nearPolicy = nearPolicy;
        this.fleet = fleet;
        this.fleetSettings = fleetSettings;
        this.paths = paths;
        this.reduction = reduction;
        this.warm = warm;
        this.dialer = dialer;
        this.boss = boss;
        this.workers = workers;
        this.tcp = tcp;
        this.udp = udp;
    }

    public static FarServer start(FarConfig config) throws IOException {
        return start(config, UdpOptions.defaults());
    }

    /** Throwaway handshakes at start (about a second on a fresh JVM), so the first near's probe measures the path, not the JIT. */
    static final int WARM_UP_ROUNDS = 200;

    /** With UDP carrier options (tests: an impairment on the far's socket, e.g. an emulated delay). */
    public static FarServer start(FarConfig config, UdpOptions udpOptions) throws IOException {
        long warmMs = dev.wanx.crypto.HandshakeWarmup.run(WARM_UP_ROUNDS); // before listening: no near meets a cold far
        LOG.fine(() -> "handshake path warmed up in " + warmMs + " ms");
        FleetSource fleet = new FleetSource(config.fleet().members(), config.fleet().file()); // a bad fleet file stops the start
        X25519KeyPair key = KeyFiles.readPrivate(config.key());
        // Read before anything starts: an invalid policy file is a start-up error (IllegalArgumentException).
        PolicyFile nearPolicy = config.nearPolicy() == null ? null : new PolicyFile(config.nearPolicy());
        AuthorizedKeys authorized = AuthorizedKeys.load(config.authorized());
        EgressPolicy policy = EgressPolicy.parse(config.allow());
        MuxOptions mux = MuxOptions.defaults().withSessionBudget(config.sessionBudget());
        SecureRandom random = new SecureRandom();
        HandshakeReplayGuard replayGuard = new HandshakeReplayGuard();
        EventLoopGroup boss = NettyTransport.group(1, "wanx-far-accept");
        EventLoopGroup workers = NettyTransport.group(0, "wanx-far");
        ReductionService reduction;
        WarmFileServer warm = null;
        try {
            reduction = ReductionService.open(config.reduce());
            try {
                if (config.warmRoot() != null) warm = WarmFileServer.start(config.warmRoot());
            } catch (IOException | RuntimeException e) {
                if (reduction != null) reduction.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            NettyTransport.shutdownNow(boss, workers);
            throw e;
        }
        PathMemory paths = RocksPathMemory.openOrNone(config.stateDir(), config.pathHistory());
        TcpDialer dialer = new TcpDialer(workers, (int) config.connectTimeout().toMillis());
        OriginDialer origins = new OriginDialer(dialer, policy);
        FarServer[] self = new FarServer[1];
        java.util.function.Consumer<FrameLink> onSession = link -> self[0].serve(link, origins, mux);
        java.util.function.Supplier<byte[]> announcement = () -> self[0] == null ? null : self[0].announcement();
        TcpCarrierServer tcp = null;
        UdpServer udp = null;
        try {
            tcp = TcpCarrierServer.bind(boss, workers, config.listen(), key, authorized, replayGuard, random, onSession, announcement);
            // UDP binds the port TCP actually got (matters when the config asks for port 0).
            InetSocketAddress udpAddr = new InetSocketAddress(config.listen().getAddress(), tcp.localAddress().getPort());
            udp = UdpServer.bind(workers, udpAddr, key, authorized, onSession, udpOptions).withPathMemory(paths)
                    .withAnnouncement(announcement);
        } catch (IOException | RuntimeException e) {
            if (tcp != null) tcp.close();
            if (reduction != null) reduction.close();
            if (warm != null) warm.close();
            NettyTransport.shutdownNow(boss, workers);
            RocksPathMemory.closeQuietly(paths);
            throw e;
        }
        self[0] = new FarServer(boss, workers, tcp, udp, reduction, warm, dialer, paths, nearPolicy, fleet, config.fleet());
        LOG.info("far listening on " + tcp.localAddress() + " (udp+tcp), " + authorized.size() + " authorized peer(s)");
        // Each watched file polls on a daemon thread of its own (blocking file I/O: never on the event loops).
        fleet.addListener(members -> self[0].announceToAll());
        fleet.start();
        if (nearPolicy != null) {
            nearPolicy.addListener(self[0]::pushToAll);
            nearPolicy.start();
            LOG.info("near policy " + config.nearPolicy() + ": version " + nearPolicy.current().version()
                    + ", pushed to every near (re-read when the file changes)");
        }
        return self[0];
    }

    private void serve(FrameLink link, OriginDialer origins, MuxOptions mux) {
        MuxSession session = new MuxSession(link, false, mux);
        sessions.add(session);
        if ("udp".equals(link.name())) LOG.info("session from " + link.peerName() + " (udp)"); // the tcp carrier logs its own, with the address
        session.closeFuture().whenComplete((c, e) -> {
            sessions.remove(session);
            LOG.info("session from " + session.peerName() + " ended" + (c == null ? "" : ": " + c.getMessage()));
        });
        session.setAcceptor(in -> dial(in, origins));
        if (nearPolicy != null) push(session, nearPolicy.current()); // after sessions.add: a change from now on reaches it too
    }

    /** Sends the policy to one session and applies its fec to this end of it. */
    private static void push(MuxSession session, NearPolicy policy) {
        session.setFecAllowed(policy.fec().orElse(true));
        session.sendConfig(policy.encode());
    }

    /** The policy file changed: every open session gets the new version. */
    private void pushToAll(NearPolicy policy) {
        int n = 0;
        for (MuxSession s : sessions) {
            push(s, policy);
            n++;
        }
        LOG.info("near policy version " + policy.version() + " sent to " + n + " session(s)");
    }

    private void dial(IncomingStream in, OriginDialer origins) {
        boolean reduced = (in.flags() & StreamFlags.REDUCE) != 0;
        if (reduced && reduction == null) {
            in.reject(DialError.DENIED, "this far has data reduction switched off; start the near with --no-reduce");
            return;
        }
        CompletableFuture<Conduit> dialed;
        if (WarmFileServer.HOST.equals(in.open().host())) {
            // `wanx warm` of a far-side path: served from --warm-root, not dialed (and not subject to egress).
            if (warm == null) {
                in.reject(DialError.DENIED, "far-side warming is off: start the far with --warm-root DIR");
                return;
            }
            dialed = dialer.dial(warm.address(), null, in.loop());
        } else {
            dialed = origins.dial(in.peerName(), in.open(), null, in.loop());
        }
        dialed.whenComplete((origin, err) -> {
            if (err != null) {
                Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
                in.rejectWith(cause);
            } else {
                TunnelStream stream = in.accept();
                Relay.join(reduced ? reduction.wrap(stream, in.peerName(), in.open().hint()) : stream, origin);
            }
        });
    }

    /** What every handshake reply tells the near: load, config version, fleet. Cheap: runs per handshake on a loop. */
    byte[] announcement() { return announcementFor(Announcement.MAX_BYTES); }

    /** An ANNOUNCE frame's room on the smallest carrier (a UDP packet), so a fleet too long for the handshake still goes. */
    private static final int ANNOUNCE_FRAME_BYTES = 1100;

    private byte[] announcementFor(int maxBytes) {
        String version = policyVersion();
        return new Announcement(fleetSettings.loadPercent(sessions.size()), version == null ? "" : version,
                fleet.members().isEmpty() ? null : fleet.members()).encode(maxBytes);
    }

    /** Tells every open session the new fleet (an ANNOUNCE frame), so nears use it at their next session. */
    private void announceToAll() {
        byte[] a = announcementFor(ANNOUNCE_FRAME_BYTES);
        for (MuxSession s : sessions) s.sendAnnouncement(a);
    }

    /** The fleet this far announces now. */
    public java.util.List<dev.wanx.discovery.FleetMember> fleet() { return fleet.members(); }

    /** The TCP/UDP port actually bound. */
    public InetSocketAddress localAddress() { return tcp.localAddress(); }

    public int sessionCount() { return sessions.size(); }

    /** The version of the near policy in force (sent to every near), or null without --near-policy. */
    public String policyVersion() {
        return nearPolicy == null ? null : nearPolicy.current().version();
    }

    /** The near policy in force, or null without --near-policy. */
    public NearPolicy nearPolicy() { return nearPolicy == null ? null : nearPolicy.current(); }

    /** The data-reduction service, or null when reduction is off. */
    public ReductionService reduction() { return reduction; }

    /** Blocks until closed. */
    public void awaitClose() throws InterruptedException { closed.await(); }

    @Override public void close() {
        fleet.close();
        if (nearPolicy != null) nearPolicy.close();
        for (MuxSession s : sessions) s.close("far shutting down");
        tcp.close();
        udp.close();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        if (reduction != null) reduction.close();
        if (warm != null) warm.close();
        RocksPathMemory.closeQuietly(paths);
        closed.countDown();
    }
}
