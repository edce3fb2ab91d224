package dev.wanx.transport.udp;

import dev.wanx.transport.FrameLink;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramPacket;

import java.io.Closeable;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
    private static final int REPLAY_MEMORY = 65_536;

    private final StaticKeyPair local;
    private final Function<byte[], Optional<String>> authorized;
    private final Consumer<FrameLink> onSession;
    private final UdpOptions opts;
    private final HandshakeCrypto crypto;
    private final SecureRandom random = new SecureRandom();
    private final Map<Long, Session> sessions = new HashMap<>();
    /** Ephemeral keys of first packets seen lately: a replayed first packet under a new connection id gets silence. */
    private final Map<ByteBuffer, Long> seenHellos = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Long> e) { return size() > REPLAY_MEMORY; }
    };
    private final PacketHeader header = new PacketHeader();
    private Channel channel;
    private EventLoop loop;
    /** Datagrams answered with silence: garbage, unknown connection, failed or unauthorized handshakes, replays. */
    public volatile long silentDrops;
    public volatile long handshakes;

    private record Session(UdpLink link, ByteBuf reply) { }

    private UdpServer(StaticKeyPair local, Function<byte[], Optional<String>> authorized, Consumer<FrameLink> onSession,
                      UdpOptions opts, HandshakeCrypto crypto) {
        this.local = local;
        this.authorized = authorized;
        this.onSession = onSession;
        this.opts = opts;
        this.crypto = crypto;
    }

    /**
     * Listens on {@code listen}. {@code authorized} maps a peer's static public key to its name (e.g.
     * {@code AuthorizedKeys::nameOf}); empty means unauthorized. {@code onSession} runs on the session's
     * event loop for each authenticated peer and must set the link's handler before returning.
     */
    public static UdpServer bind(EventLoopGroup group, InetSocketAddress listen, StaticKeyPair local,
                                 Function<byte[], Optional<String>> authorized, Consumer<FrameLink> onSession,
                                 UdpOptions opts) throws UdpCarrierException {
        UdpServer s = new UdpServer(local, authorized, onSession, opts, new InterimIk());
        s.loop = group.next();
        ChannelFuture f = DatagramInbound.bind(s.loop, listen, new DatagramInbound(s::onDatagram, DatagramInbound.filterOf(opts)), opts)
                .awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new UdpCarrierException("cannot bind UDP " + listen + ": " + f.cause().getMessage(), f.cause());
        }
        s.channel = f.channel();
        return s;
    }

    public InetSocketAddress localAddress() { return (InetSocketAddress) channel.localAddress(); }

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
                if (s == null) {
                    silentDrops++;
                } else {
                    s.link.onDatagram(buf, sender);
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

    private void accept(ByteBuf buf, long cid, InetSocketAddress sender) {
        byte[] msg1 = HandshakePacket.message(buf, PacketHeader.TYPE_INITIAL);
        if (msg1 == null) {
            silentDrops++;
            return;
        }
        HandshakeCrypto.Responder r = crypto.responder(local, PROLOGUE);
        byte[] hello;
        try {
            hello = r.readMessage1(msg1);
        } catch (GeneralSecurityException | RuntimeException e) {
            silentDrops++; // not for our key, corrupted, or garbage
            return;
        }
        Optional<String> name = authorized.apply(r.remoteStatic());
        long t = HandshakePacket.helloTime(hello);
        ByteBuffer id = ByteBuffer.wrap(r.message1Id());
        if (name.isEmpty() || t < 0 || Math.abs(System.currentTimeMillis() - t) > MAX_CLOCK_SKEW_MS
                || seenHellos.containsKey(id)) {
            silentDrops++;
            return;
        }
        seenHellos.put(id, cid);
        byte[] msg2 = r.writeMessage2(HandshakePacket.writeHello(System.currentTimeMillis(), opts.maxPayload()));
        HandshakeCrypto.Keys keys = r.split();
        ByteBuf reply = HandshakePacket.encode(channel.alloc(), PacketHeader.TYPE_HANDSHAKE, cid, msg2);
        if (reply.readableBytes() > buf.readableBytes()) { // never amplify before the peer is proven
            reply.release();
            silentDrops++;
            return;
        }
        long now = UdpLink.now();
        UdpLink link = new UdpLink(loop, channel, name.get(), null, l -> {
            Session gone = sessions.remove(cid);
            if (gone != null) {
                gone.reply.release();
            }
        });
        link.attach(new UdpConnection(cid, new JdkAesGcm(keys.responderToInitiator()), new JdkAesGcm(keys.initiatorToResponder()),
                opts, sender, opts.initialRttMs() * 1_000_000L, channel.alloc(), link, now, random.nextLong()));
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
        loop.submit(() -> {
            for (Session s : sessions.values().toArray(new Session[0])) {
                s.link.close("server shutting down");
            }
        }).awaitUninterruptibly();
        channel.close().awaitUninterruptibly();
    }
}
