package dev.wanx.transport.session;

import dev.wanx.transport.DialError;
import dev.wanx.transport.DialException;
import dev.wanx.transport.FrameLink;
import dev.wanx.transport.IncomingStream;
import dev.wanx.transport.SessionStats;
import dev.wanx.transport.StreamOpen;
import dev.wanx.transport.TunnelSession;
import dev.wanx.transport.TunnelStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The session layer: multiplexes streams over one carrier's {@link FrameLink}. Single-threaded on the link's
 * event loop. Streams get credit-based flow control (a large window that grows with a consumer that keeps up,
 * capped by a per-session budget) and a round-robin share of the link, one frame per stream per turn.
 */
public final class MuxSession implements TunnelSession, FrameLink.Handler {
    private static final Logger LOG = Logger.getLogger("wanx.session");

    private final FrameLink link;
    private final EventLoop loop;
    private final MuxOptions options;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final StreamTable streams;
    private final SendRotation rotation;
    private final CompletableFuture<Throwable> closeFuture = new CompletableFuture<>();
    private final SessionMessages messages;
    private volatile long unknownFramesIgnored;
    private final int advertisedFeatures;
    /** What the peer's FEATURES said it reads (0 until it arrives, and from a peer that sends none); loop only. */
    private int peerFeatures;
    private final SessionCredit credit;
    private final PeerOpens opens;
    private boolean unknownLogged;
    private volatile boolean active = true;

    private final LongSupplier clock;
    private final PeerLiveness liveness;
    private final PeerWatch watch;

    private volatile long bytesSent;
    private volatile long bytesReceived;

    /** @param initiator the near (odd stream ids); the far uses even ids */
    public MuxSession(FrameLink link, boolean initiator, MuxOptions options) {
        this(link, initiator, options, System::nanoTime);
    }

    /** @param clock monotonic nanoseconds (tests pass their own) */
    public MuxSession(FrameLink link, boolean initiator, MuxOptions options, LongSupplier clock) {
        this(link, initiator, options, clock, Frame.FEATURES_READ);
    }

    /** Tests: act as an end from before FEATURES (it sends none). */
    static final int NO_FEATURES_FRAME = -1;

    /** @param advertisedFeatures the FEATURES bits this end sends, or {@link #NO_FEATURES_FRAME} */
    MuxSession(FrameLink link, boolean initiator, MuxOptions options, LongSupplier clock, int advertisedFeatures) {
        this.advertisedFeatures = advertisedFeatures;
        this.link = link;
        this.clock = clock;
        this.liveness = new PeerLiveness(TimeUnit.MILLISECONDS.toNanos(options.peerSilenceMs()), clock.getAsLong());
        this.loop = link.eventLoop();
        this.options = options;
        this.streams = new StreamTable(initiator);
        this.rotation = new SendRotation(link, this::isActive);
        this.credit = new SessionCredit(options, alloc, this::sendControl);
        this.opens = new PeerOpens(this, streams, credit);
        this.messages = new SessionMessages(link, alloc, this::onLoop, this::isActive, this::sendControl);
        this.watch = new PeerWatch(link, loop, options, clock, liveness, alloc, this::isActive, streams::opensPending,
                streams::open);
        onLoop(() -> {
            link.setFrameSplitter(Frame::split);
            if (advertisedFeatures >= 0) { // first frame of the session: the peer learns what it may send early on
                link.send(Frame.features(alloc, advertisedFeatures));
                long allowance = credit.startAllowance();
                if (allowance > 0) link.send(Frame.allowance(alloc, allowance));
                if ((advertisedFeatures & Frame.FEATURE_SESSION_CREDIT) != 0) {
                    link.send(Frame.sessionMax(alloc, credit.startSessionMax()));
                }
                link.flush();
            }
            // Only now: frames that arrived early are handled here, and the peer's FEATURES makes this end answer
            // BOUND, which must not go before its own FEATURES.
            link.setHandler(this);
        });
        if (initiator) watch.tickUntil(closeFuture); // the near watches its far (failover); the far has nowhere to go
    }

    // ---------------- TunnelSession ----------------

    @Override public CompletableFuture<TunnelStream> openStream(StreamOpen dest, ByteBuf firstData) {
        CompletableFuture<TunnelStream> result = new CompletableFuture<>();
        onLoop(() -> {
            if (!active) {
                if (firstData != null) firstData.release();
                result.completeExceptionally(new DialException(DialError.TUNNEL_DOWN, "session closed"));
                return;
            }
            long id = streams.nextLocalId();
            MuxStream s = new MuxStream(this, id, dest, true);
            streams.add(s);
            credit.onNewStream();
            long early = credit.takeEarly(s);
            int room = Math.max(0, link.maxFrameSize() - Frame.openHeaderSize(dest, early));
            int inOpen = firstData == null ? 0 : (int) Math.min(Math.min(room, firstData.readableBytes()), credit.sendRoom());
            ByteBuf f = Frame.open(alloc, id, 0, dest, early, inOpen);
            if (inOpen > 0) f.writeBytes(firstData, inOpen);
            s.sentInOpen(inOpen);
            bytesSent += inOpen;
            credit.onSent(inOpen);
            link.send(f);
            s.widenAtStart();
            if (firstData != null) {
                if (firstData.isReadable()) s.write(firstData); // the rest goes as DATA, before OPEN_OK
                else firstData.release();
            }
            watch.watchPeer();
            link.flush();
            s.opened.whenComplete((ok, err) -> {
                if (err != null) result.completeExceptionally(err);
                else result.complete(ok);
            });
        });
        return result;
    }

    @Override public TunnelStream openNow(StreamOpen dest, int flags) {
        long id = streams.nextLocalId();
        MuxStream s = new MuxStream(this, id, dest, true);
        s.flags = flags;
        onLoop(() -> {
            if (!active) {
                s.finish(new DialException(DialError.TUNNEL_DOWN, "session closed"));
                return;
            }
            streams.add(s);
            credit.onNewStream();
            link.send(Frame.open(alloc, id, flags, dest, credit.takeEarly(s), 0));
            s.widenAtStart();
            watch.watchPeer();
            link.flush();
        });
        return s;
    }

    @Override public void setAcceptor(Consumer<IncomingStream> acceptor) { opens.setAcceptor(acceptor); }

    /**
     * Sends a CONFIG frame (far to near: the near-side policy's wire form). Any thread. Dropped when the session is
     * closed, or with a warning when it does not fit one frame on this carrier.
     */
    public void sendConfig(byte[] payload) { messages.send(Frame.CONFIG, payload); }

    /** Sends an ANNOUNCE frame (far to near: its announcement again, e.g. when the fleet changed). As {@link #sendConfig}. */
    public void sendAnnouncement(byte[] payload) { messages.send(Frame.ANNOUNCE, payload); }

    /**
     * Receives the peer's CONFIG payloads, on the session's loop. Any thread. A CONFIG that arrived before a
     * listener was set is handed to it at once (only the latest one), so the session may start before the listener.
     */
    public void setConfigListener(Consumer<byte[]> listener) { messages.setListener(Frame.CONFIG, listener); }

    /** Receives the peer's ANNOUNCE payloads, as {@link #setConfigListener}. */
    public void setAnnouncementListener(Consumer<byte[]> listener) { messages.setListener(Frame.ANNOUNCE, listener); }

    /** Whether the carrier may send FEC parity ({@link FrameLink#setFecAllowed}). Any thread. */
    public void setFecAllowed(boolean allowed) {
        onLoop(() -> {
            if (active) link.setFecAllowed(allowed);
        });
    }

    /** Frames of unknown types the peer sent and this end skipped. */
    public long unknownFramesIgnored() { return unknownFramesIgnored; }

    @Override public boolean isActive() { return active; }

    @Override public CompletableFuture<Throwable> closeFuture() { return closeFuture; }

    @Override public void close(String reason) {
        onLoop(() -> {
            if (!active) return;
            link.send(Frame.close(alloc, reason));
            link.flush();
            link.close(reason);
        });
    }

    @Override public String peerName() { return link.peerName(); }

    @Override public String carrier() { return link.name(); }

    @Override public SessionStats stats() {
        SessionStats c = link.carrierStats();
        long peerRoom = credit.peerRoom();
        return new SessionStats(streams.open(), streams.total(), bytesSent, bytesReceived,
                c.wireBytesSent(), c.wireBytesReceived(), c.rttMicros(), c.lossRate(), c.rateBps(),
                peerRoom < 0 ? -1 : credit.held(), peerRoom, credit.sendRoomOrUnbound());
    }

    @Override public java.util.Map<String, Long> carrierCounters() { return link.carrierCounters(); }

    // ---------------- FrameLink.Handler (loop) ----------------

    @Override public void onFrame(ByteBuf f) {
        try {
            int type = f.isReadable() ? Frame.type(f) : -1;
            int min = Frame.minSize(type);
            if (type < 0 || f.readableBytes() < min) {
                protocolError("malformed frame type " + type + " length " + f.readableBytes());
                return;
            }
            liveness.onHeard(clock.getAsLong());
            if (min < 0) {
                ignoreUnknown(type, f.readableBytes());
                return;
            }
            if (onSessionFrame(type, f)) return;
            int dataHeader = Frame.isData(type) ? Frame.dataHeaderSize(f) : 0;
            if (dataHeader < 0) {
                protocolError("malformed frame type " + type + " length " + f.readableBytes());
                return;
            }
            if (type == Frame.CLOSE) {
                LOG.fine(() -> "peer closed session: " + Frame.closeReason(f));
                link.close("peer closed: " + Frame.closeReason(f));
                return;
            }
            long payload = type == Frame.OPEN ? Frame.openDataBytes(f) : Frame.isData(type) ? f.readableBytes() - dataHeader : 0;
            if (payload > 0 && !credit.onReceived(payload)) {
                protocolError("peer sent past its session credit");
                return;
            }
            long id = Frame.streamId(f);
            MuxStream s = opens.streamFor(id);
            long keptBefore = s == null ? 0 : s.bytesIn();
            try {
                onStreamFrame(s, type, f, dataHeader);
            } finally {
                // What a stream kept counts as received; stream bytes that no stream kept (it is gone, or refused them
                // before taking them) are released now.
                long kept = s == null ? 0 : s.bytesIn() - keptBefore;
                bytesReceived += kept;
                if (payload > kept) credit.onDropped(payload - kept);
            }
        } finally {
            f.release();
        }
        rotation.pump();
    }

    /** Handles a frame of the session itself (no stream id); false for the others. */
    private boolean onSessionFrame(int type, ByteBuf f) {
        switch (type) {
            case Frame.CONFIG, Frame.ANNOUNCE -> messages.onMessage(type, Frame.messagePayload(f));
            case Frame.PING -> {
                link.send(Frame.ping(alloc, Frame.PONG, Frame.pingToken(f)));
                link.flush();
            }
            case Frame.PONG -> { }
            case Frame.FEATURES -> {
                peerFeatures = Frame.featureBits(f);
                credit.onPeerFeatures(peerFeatures, advertisedFeatures);
            }
            case Frame.SESSION_MAX -> {
                if (credit.onPeerSessionMax(Frame.sessionMax(f))) rotation.wakeWaiting();
            }
            case Frame.BOUND -> credit.onPeerBound(Frame.boundSent(f));
            case Frame.ALLOWANCE -> credit.onPeerAllowance(Frame.allowanceMax(f));
            default -> {
                return false;
            }
        }
        return true;
    }

    private void onStreamFrame(MuxStream s, int type, ByteBuf f, int dataHeader) {
        if (s == null) return;
        switch (type) {
            case Frame.OPEN -> opens.onOpen(s, f);
            case Frame.OPEN_OK -> {
                if (s.local && !s.opened.isDone()) s.opened.complete(s);
            }
            case Frame.DATA, Frame.DATA_V -> {
                int n = f.readableBytes() - dataHeader;
                liveness.onData(clock.getAsLong());
                String err = s.onData(Frame.dataOffset(f), f.retainedSlice(f.readerIndex() + dataHeader, n), Frame.dataFin(f));
                if (err != null) resetStream(s, err);
            }
            case Frame.RESET -> s.onReset(Frame.resetCode(f), Frame.resetReason(f));
            case Frame.CREDIT -> s.onCredit(Frame.creditMax(f));
            default -> { }
        }
    }

    /** A frame type from a newer peer: session-level by rule (docs/PROTOCOL.md), so it is safe to skip. */
    private void ignoreUnknown(int type, int length) {
        unknownFramesIgnored++;
        if (!unknownLogged) {
            unknownLogged = true;
            LOG.fine(() -> "session with " + link.peerName() + ": ignoring frames of unknown type " + type
                    + " (length " + length + "), the peer is newer; logged once per session");
        }
    }

    void resetStream(MuxStream s, String why) {
        LOG.warning(() -> "resetting stream " + s.id + " from " + link.peerName() + ": " + why);
        sendControl(Frame.reset(alloc, s.id, DialError.GENERAL.code, why));
        s.finish(new IOException("stream " + s.id + ": " + why));
    }

    void protocolError(String why) {
        LOG.warning("session protocol error from " + link.peerName() + ": " + why);
        link.close("protocol error: " + why);
    }

    @Override public void onWritabilityChanged(boolean writable) {
        if (writable) rotation.pump();
    }

    @Override public void onClosed(Throwable cause) {
        if (!active) return;
        active = false;
        String localCloseReason = watch.localCloseReason();
        Throwable c = cause != null ? cause : new IOException(localCloseReason != null ? localCloseReason : "session closed");
        for (MuxStream s : streams.all()) s.finish(new DialException(DialError.TUNNEL_DOWN, "tunnel down: " + c.getMessage(), c));
        rotation.clear();
        closeFuture.complete(cause != null || localCloseReason == null ? cause : c);
    }

    // ---------------- called by streams (loop) ----------------

    MuxOptions options() { return options; }

    ByteBufAllocator alloc() { return alloc; }

    EventLoop loop() { return loop; }

    void onLoop(Runnable r) {
        if (loop.inEventLoop()) r.run();
        else loop.execute(r);
    }

    void sendControl(ByteBuf f) {
        if (!active) {
            f.release();
            return;
        }
        link.send(f);
        link.flush();
    }

    SessionCredit credit() { return credit; }

    /** Whether stream data goes as DATA_V (the peer said it reads it). Loop only. */
    boolean compactData() { return (peerFeatures & Frame.FEATURE_DATA_V) != 0; }

    void sendData(ByteBuf f, int payload) {
        bytesSent += payload;
        credit.onSent(payload);
        liveness.onData(clock.getAsLong());
        link.send(f);
    }

    void markSendReady(MuxStream s) { rotation.markReady(s); }

    /** Stream bytes this end may send now under the peer's session credit. */
    long sendRoom() { return credit.sendRoom(); }

    /** A stream with data and stream credit waits for the peer's next SESSION_MAX. */
    void waitForSessionCredit(MuxStream s) { rotation.waitForCredit(s); }

    void onStreamFinished(MuxStream s) {
        if (streams.remove(s)) credit.onStreamFinished(s);
    }
}
