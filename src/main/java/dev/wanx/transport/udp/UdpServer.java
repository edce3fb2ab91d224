package dev.wanx.transport.udp;

import dev.wanx.transport.FrameLink;
import dev.wanx.transport.path.PathContext;
import dev.wanx.transport.path.PathMemory;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramPacket;

import dev.wanx.crypto.AuthorizedKeys;
import dev.wanx.crypto.HandshakeException;
import dev.wanx.crypto.HandshakeReplayGuard;
import dev.wanx.crypto.NoiseIK;
import dev.wanx.crypto.SessionKeys;
import dev.wanx.crypto.X25519KeyPair;

import java.io.Closeable;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The far end: one UDP socket, connections demultiplexed by connection id. Anything that does not
 * authenticate gets silence (no error packets, so a scanner learns nothing); before a peer is authenticated
 * the only packet sent is the handshake reply, smaller than the ≥ 1200-byte first packet it answers (no
 * amplification). A retransmitted first packet gets the same cached reply, not a second session.
 * All sessions run on the socket's event loop.
 */
public final class UdpServer implements Closeable {
    static final byte[] PROLOGUE = "wanx-udp-v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final long MAX_CLOCK_SKEW_MS = 120_000;

    private final X25519KeyPair local;
    private final Function<byte[], Optional<String>> authorized;
    private final Consumer<FrameLink> onSession;
    private final UdpOptions opts;
    private final SecureRandom random = new SecureRandom();
    private final Map<Long, Session> sessions = new HashMap<>();
    /** Each peer's hello time must grow: a replayed first packet (under any connection id) gets silence. */
    private final HandshakeReplayGuard replayGuard = new HandshakeReplayGuard();
    private final PacketHeader header = new PacketHeader();
    private Channel channel;
    private EventLoop loop;
    private volatile PathMemory paths = PathMemory.NONE;
    private volatile java.util.function.Supplier<byte[]> announcement = () -> null;
    static final int DEFAULT_RETRY_ABOVE = 200;
    private volatile int retryAbove = DEFAULT_RETRY_ABOVE;
    private long loadWindowStartNs = System.nanoTime();
    private int loadWindowCount;
    private final RetryTokens tokens = new RetryTokens(random);
    /** Datagrams answered with silence: garbage, unknown connection, failed or unauthorized handshakes, replays. */
    public volatile long silentDrops;
    public volatile long handshakes;
    /** RETRY packets sent (INITIALs without a valid token while under load). */
    public volatile long retriesSent;

    private record Session(UdpLink link, ByteBuf reply) { }

    /** The links that took in datagrams in the current read batch, each once: flushed at its end. */
    private final java.util.ArrayList<UdpLink> batch = new java.util.ArrayList<>();

    private UdpServer(X25519KeyPair local, Function<byte[], Optional<String>> authorized, Consumer<FrameLink> onSession,
                      UdpOptions opts) {
        this.local = local;
        this.authorized = authorized;
        this.onSession = onSession;
        this.opts = opts;
    }

    /** Listens on {@code listen}, accepting the peers in {@code authorized}; see the other overload. */
    public static UdpServer bind(EventLoopGroup group, InetSocketAddress listen, X25519KeyPair local, AuthorizedKeys authorized,
                                 Consumer<FrameLink> onSession, UdpOptions opts) throws UdpCarrierException {
        return bind(group, listen, local, authorized::nameOf, onSession, opts);
    }

    /**
     * Listens on {@code listen}. {@code authorized} maps a peer's static public key to its name (e.g.
     * {@code AuthorizedKeys::nameOf}); empty means unauthorized. {@code onSession} runs on the session's
     * event loop for each authenticated peer and must set the link's handler before returning.
     */
    public static UdpServer bind(EventLoopGroup group, InetSocketAddress listen, X25519KeyPair local,
                                 Function<byte[], Optional<String>> authorized, Consumer<FrameLink> onSession,
                                 UdpOptions opts) throws UdpCarrierException {
        UdpServer s = new UdpServer(local, authorized, onSession, opts);
        s.loop = group.next();
        DatagramInbound.Dispatcher d = new DatagramInbound.Dispatcher() {
            @Override
            public void onDatagram(ByteBuf content, InetSocketAddress sender) { s.onDatagram(content, sender); }

            @Override
            public void endOfBatch() { s.endOfBatch(); }
        };
        ChannelFuture f = DatagramInbound.bind(s.loop, listen, new DatagramInbound(d, DatagramInbound.filterOf(opts)), opts)
                .awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new UdpCarrierException("cannot bind UDP " + listen + ": " + f.cause().getMessage(), f.cause());
        }
        s.channel = f.channel();
        return s;
    }

    public InetSocketAddress localAddress() { return (InetSocketAddress) channel.localAddress(); }

    /**
     * Above this many INITIALs a second, new peers must first echo a stateless retry token (one more round trip
     * for them, no work for spoofed floods). Default {@value #DEFAULT_RETRY_ABOVE}; 0 = always.
     */
    public UdpServer withRetryAbove(int initialsPerSecond) {
        this.retryAbove = initialsPerSecond;
        return this;
    }

    /** Counts this INITIAL in the current one-second window; true when the window is over the threshold. */
    private boolean underLoad() {
        long now = System.nanoTime();
        if (now - loadWindowStartNs >= 1_000_000_000L) {
            loadWindowStartNs = now;
            loadWindowCount = 0;
        }
        return ++loadWindowCount > retryAbove;
    }

    /**
     * Remembers, per near peer and its address prefix, the path model of each session, so the next session
     * of that peer from there starts near the learned rate (careful resume). Default: no memory.
     */
    public UdpServer withPathMemory(PathMemory memory) {
        this.paths = memory;
        return this;
    }

    /**
     * What every handshake reply carries after the hello (load, fleet, config version: see discovery), built per
     * reply on the socket's loop, so it must be cheap. Longer than {@link HandshakePacket#MAX_ANNOUNCEMENT}: left out.
     */
    public UdpServer withAnnouncement(java.util.function.Supplier<byte[]> supplier) {
        this.announcement = supplier;
        return this;
    }

    /** Sessions currently open (read on the event loop for an exact value). */
    public int sessionCount() { return sessions.size(); }

    private void onDatagram(ByteBuf buf, InetSocketAddress sender) {
        if (!header.wrap(buf)) {
            silentDrops++;
            return;
        }
        long cid = header.connectionId();
        Session s = sessions.get(cid);
        switch (header.type()) {
            case PacketHeader.TYPE_DATA:
            case PacketHeader.TYPE_SHORT:
            case PacketHeader.TYPE_REPAIR:
                if (s == null) {
                    silentDrops++;
                } else if (s.link.onDatagram(buf, sender)) {
                    batch.add(s.link);
                }
                break;
            case PacketHeader.TYPE_INITIAL:
                if (s != null) {
                    if (buf.readableBytes() >= s.reply.readableBytes()) { // a retransmit: same answer, no new session
                        channel.writeAndFlush(new DatagramPacket(s.reply.retainedDuplicate(), sender), channel.voidPromise());
                    }
                } else {
                    accept(buf, cid, sender);
                }
                break;
            default:
                silentDrops++;
        }
    }

    private void endOfBatch() {
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).endBatch();
        }
        batch.clear();
    }

    private void accept(ByteBuf buf, long cid, InetSocketAddress sender) {
        byte[] msg1 = HandshakePacket.message(buf, PacketHeader.TYPE_INITIAL);
        if (msg1 == null) {
            silentDrops++;
            return;
        }
        if (underLoad() && !tokens.valid(HandshakePacket.initialToken(buf), sender, cid, System.currentTimeMillis())) {
            // Under load, Diffie-Hellman work and session memory only for peers that prove their address.
            ByteBuf retry = HandshakePacket.encodeRetry(channel.alloc(), cid, tokens.issue(sender, cid, System.currentTimeMillis()));
            if (retry.readableBytes() > buf.readableBytes()) { // never amplify (an INITIAL is >= 1200 bytes, a RETRY ~43)
                retry.release();
                silentDrops++;
                return;
            }
            retriesSent++;
            channel.writeAndFlush(new DatagramPacket(retry, sender), channel.voidPromise());
            return;
        }
        NoiseIK.Responder r = new NoiseIK.Responder(local, PROLOGUE, random);
        byte[] hello;
        try {
            hello = r.readMessage1(msg1);
        } catch (HandshakeException | RuntimeException e) {
            silentDrops++; // not for our key, corrupted, or garbage
            return;
        }
        Optional<String> name = authorized.apply(r.remoteStatic());
        long t = HandshakePacket.helloTime(hello);
        if (name.isEmpty() || t < 0 || Math.abs(System.currentTimeMillis() - t) > MAX_CLOCK_SKEW_MS
                || !replayGuard.accept(r.remoteStatic(), t)) {
            silentDrops++;
            return;
        }
        byte[] msg2 = r.writeMessage2(HandshakePacket.writeHello(System.currentTimeMillis(), opts.largestPayload(), announcement.get()));
        SessionKeys keys = r.split();
        ByteBuf reply = HandshakePacket.encode(channel.alloc(), PacketHeader.TYPE_HANDSHAKE, cid, msg2);
        if (reply.readableBytes() > buf.readableBytes()) { // never amplify before the peer is proven
            reply.release();
            silentDrops++;
            return;
        }
        long now = UdpLink.now();
        PathRecorder[] recorder = new PathRecorder[1];
        UdpLink link = new UdpLink(loop, channel, name.get(), null, l -> {
            if (recorder[0] != null) recorder[0].save();
            Session gone = sessions.remove(cid);
            if (gone != null) {
                gone.reply.release();
            }
        });
        link.attach(new UdpConnection(cid, new AeadPacketCipher(keys.responderToInitiator()), new AeadPacketCipher(keys.initiatorToResponder()),
                opts, sender, opts.initialRttMs() * 1_000_000L, channel.alloc(), link, now, random.nextLong()));
        link.connection().peerHello(hello);
        recorder[0] = PathRecorder.start(paths, PathContext.ofPeer(r.remoteStatic(), sender), link, false);
        sessions.put(cid, new Session(link, reply));
        handshakes++;
        channel.writeAndFlush(new DatagramPacket(reply.retainedDuplicate(), sender), channel.voidPromise());
        onSession.accept(link);
        link.flush();
    }

    @Override
    public void close() {
        if (channel == null) {
            return;
        }
        // One task: closing the channel on the loop right after the sessions leaves no read in between. Two tasks let
        // an INITIAL that arrived meanwhile open a session nobody closed (a leak report in CI, a near reconnecting
        // while its far shut down).
        Runnable closeAll = () -> {
            for (Session s : sessions.values().toArray(new Session[0])) {
                s.link.close("server shutting down");
            }
            channel.close();
        };
        if (loop.inEventLoop()) { // never block the loop on itself
            closeAll.run();
            return;
        }
        loop.submit(closeAll).awaitUninterruptibly();
        channel.closeFuture().awaitUninterruptibly();
    }
}
