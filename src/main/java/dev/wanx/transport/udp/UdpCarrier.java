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
import io.netty.util.concurrent.ScheduledFuture;

import dev.wanx.crypto.HandshakeException;
import dev.wanx.crypto.NoiseIK;
import dev.wanx.crypto.SessionKeys;
import dev.wanx.crypto.X25519KeyPair;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The near end: opens a UDP socket, runs the 1-RTT handshake (Noise IK message 1 in a padded first
 * packet, message 2 back), then hands out a {@link FrameLink}. The first flight is re-sent after 250 ms,
 * 500 ms, 1 s … until the handshake timeout, then the future fails with a {@link UdpCarrierException}.
 */
public final class UdpCarrier {
    private static final SecureRandom RANDOM = new SecureRandom();

    private UdpCarrier() { }

    public static CompletableFuture<FrameLink> connect(EventLoopGroup group, InetSocketAddress far, X25519KeyPair local,
                                                       byte[] farPublicKey, UdpOptions opts) {
        return connect(group, far, local, farPublicKey, opts, PathMemory.NONE);
    }

    /** As above, starting from (and adding to) the path history of this network context. */
    public static CompletableFuture<FrameLink> connect(EventLoopGroup group, InetSocketAddress far, X25519KeyPair local,
                                                       byte[] farPublicKey, UdpOptions opts, PathMemory paths) {
        CompletableFuture<FrameLink> result = new CompletableFuture<>();
        EventLoop loop = group.next();
        String context = paths == PathMemory.NONE ? null : PathContext.of(farPublicKey, far); // route and interface look-up: syscalls, no waiting
        loop.execute(() -> new Dial(loop, far, local, farPublicKey, opts, result, paths, context).start());
        return result;
    }

    /** One handshake attempt; after success it routes the socket's datagrams to the link. */
    private static final class Dial implements DatagramInbound.Dispatcher {
        private final EventLoop loop;
        private final InetSocketAddress far;
        private final X25519KeyPair local;
        private final byte[] farKey;
        private final UdpOptions opts;
        private final CompletableFuture<FrameLink> result;
        private final long cid = RANDOM.nextLong();
        private final PacketHeader header = new PacketHeader();
        private NoiseIK.Initiator ini;
        private ByteBuf initial;
        private Channel channel;
        private UdpLink link;
        private long startNs;
        private long lastSendNs;
        private long retryMs;
        private ScheduledFuture<?> retry;
        private final PathMemory paths;
        private final String context;
        private PathRecorder recorder;
        private byte[] msg1;
        private boolean retried;

        Dial(EventLoop loop, InetSocketAddress far, X25519KeyPair local, byte[] farKey, UdpOptions opts,
             CompletableFuture<FrameLink> result, PathMemory paths, String context) {
            this.paths = paths;
            this.context = context;
            this.loop = loop;
            this.far = far;
            this.local = local;
            this.farKey = farKey;
            this.opts = opts;
            this.result = result;
            this.retryMs = opts.handshakeRetryMs();
        }

        void start() {
            bindSocket().addListener(f -> {
                if (!f.isSuccess()) {
                    result.completeExceptionally(new UdpCarrierException("cannot open a UDP socket: " + f.cause(), f.cause()));
                    return;
                }
                channel = ((ChannelFuture) f).channel();
                // However the attempt ends (reply, timeout, the near shutting down with a retry pending), the first flight goes.
                channel.closeFuture().addListener(c -> releaseInitial());
                try {
                    ini = new NoiseIK.Initiator(local, farKey, UdpServer.PROLOGUE, RANDOM);
                } catch (IllegalArgumentException e) {
                    channel.close();
                    result.completeExceptionally(new UdpCarrierException("unusable far public key: " + e.getMessage(), e));
                    return;
                }
                msg1 = ini.writeMessage1(HandshakePacket.writeHello(System.currentTimeMillis(), opts.largestPayload()));
                initial = HandshakePacket.encode(channel.alloc(), PacketHeader.TYPE_INITIAL, cid, msg1);
                startNs = UdpLink.now();
                sendInitial();
            });
        }

        private ChannelFuture bindSocket() {
            InetSocketAddress any = far.getAddress() instanceof Inet4Address
                    ? new InetSocketAddress("0.0.0.0", 0) : new InetSocketAddress("::", 0);
            return DatagramInbound.bind(loop, any, new DatagramInbound(this, DatagramInbound.filterOf(opts)), opts);
        }

        private void sendInitial() {
            if (result.isDone() || initial == null) {
                return;
            }
            long elapsedMs = (UdpLink.now() - startNs) / 1_000_000L;
            if (elapsedMs >= opts.handshakeTimeoutMs()) {
                fail(new UdpCarrierException("no handshake reply from " + far + " within " + opts.handshakeTimeoutMs()
                        + " ms (far end down, UDP blocked, wrong far key, or this key is not authorized there)"));
                return;
            }
            lastSendNs = UdpLink.now();
            channel.writeAndFlush(new DatagramPacket(initial.retainedDuplicate(), far), channel.voidPromise());
            long wait = Math.min(retryMs, opts.handshakeTimeoutMs() - elapsedMs);
            retryMs *= 2;
            retry = loop.schedule(this::sendInitial, wait, TimeUnit.MILLISECONDS);
        }

        /**
         * The far is under load and wants proof of our address: the same first flight again, now echoing its
         * token. Only the first RETRY counts (a forged one can at most cost this attempt a round trip).
         */
        private void onRetry(ByteBuf buf) {
            byte[] token = HandshakePacket.retryToken(buf);
            if (token == null || retried || initial == null) {
                return;
            }
            retried = true;
            initial.release();
            initial = HandshakePacket.encode(channel.alloc(), PacketHeader.TYPE_INITIAL, cid, msg1, token);
            if (retry != null) retry.cancel(false);
            retryMs = opts.handshakeRetryMs();
            sendInitial();
        }

        private void releaseInitial() {
            if (initial != null) {
                initial.release();
                initial = null;
            }
        }

        private void fail(Throwable t) {
            releaseInitial();
            channel.close();
            result.completeExceptionally(t);
        }

        @Override
        public void endOfBatch() {
            if (link != null) {
                link.endBatch();
            }
        }

        @Override
        public void onDatagram(ByteBuf buf, InetSocketAddress sender) {
            if (link != null) {
                link.onDatagram(buf, sender); // one link per socket: no need to remember it for endOfBatch
                return;
            }
            if (result.isDone() || !header.wrap(buf) || header.connectionId() != cid) {
                return;
            }
            if (header.type() == PacketHeader.TYPE_RETRY) {
                onRetry(buf);
                return;
            }
            if (header.type() != PacketHeader.TYPE_HANDSHAKE) {
                return;
            }
            byte[] msg2 = HandshakePacket.message(buf, PacketHeader.TYPE_HANDSHAKE);
            if (msg2 == null) {
                return;
            }
            byte[] hello;
            try {
                hello = ini.readMessage2(msg2);
            } catch (HandshakeException | RuntimeException e) {
                return; // forged or corrupted reply: keep waiting for the real one
            }
            retry.cancel(false);
            releaseInitial();
            SessionKeys keys = ini.split();
            long now = UdpLink.now();
            // From the first send (Karn): a reply to the first flight arriving just after a re-send would
            // otherwise read as a tiny RTT (at 250 ms RTT and a 250 ms retry: ~1 ms). Too high is safe, too low is not.
            long rtt = Math.max(now - startNs, 100_000L);
            link = new UdpLink(loop, channel, "far:" + far, l -> bindSocket(), l -> {
                if (recorder != null) recorder.save(); // what this session learned, for the next one
            });
            link.attach(new UdpConnection(cid, new AeadPacketCipher(keys.initiatorToResponder()), new AeadPacketCipher(keys.responderToInitiator()),
                    opts, far, rtt, channel.alloc(), link, now, RANDOM.nextLong()));
            link.connection().peerHello(hello);
            link.setAnnouncement(HandshakePacket.announcement(hello));
            recorder = PathRecorder.start(paths, context, link, true);
            // Confirm the keys to the far end at once (it may be waiting for proof before anything else).
            link.connection().flush(now);
            result.complete(link);
        }
    }
}
