package dev.wanx.transport.udp;

import dev.wanx.transport.FrameLink;
import dev.wanx.transport.SessionStats;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@link FrameLink} over one {@link UdpConnection}: runs it on one event loop, turns its timer deadline
 * into a single scheduled task, and writes its datagrams to a Netty channel (batched until flush, so
 * epoll can use sendmmsg). The near end owns its channel (and may replace it: {@link #rebind}); the far
 * end shares the server's channel.
 */
public final class UdpLink implements FrameLink, UdpConnection.Io {
    private final EventLoop loop;
    private final String peerName;
    private final Consumer<UdpLink> onTerminated;
    private final ArrayDeque<ByteBuf> early = new ArrayDeque<>();
    private UdpConnection conn;
    private Channel channel;
    private final DatagramBatcher out;
    private Handler handler;
    private ScheduledFuture<?> timer;
    private long timerAtNs = Long.MAX_VALUE;
    private boolean closed;
    private Throwable closeCause;
    private final Rebinder rebinder;
    private byte[] announcement = new byte[0];
    /** Datagrams were taken in during the current read batch and nothing was sent for them yet: {@link #endBatch} will. */
    private boolean inBatch;

    /** How the near end gets a fresh socket for {@link #rebind}; null on the far end. */
    interface Rebinder {
        io.netty.channel.ChannelFuture bind(UdpLink link);
    }

    UdpLink(EventLoop loop, Channel channel, String peerName, Rebinder rebinder, Consumer<UdpLink> onTerminated) {
        this.loop = loop;
        this.channel = channel;
        this.out = new DatagramBatcher(channel.alloc(), channel);
        this.peerName = peerName;
        this.rebinder = rebinder;
        this.onTerminated = onTerminated;
    }

    private static final java.util.logging.Logger STATS = java.util.logging.Logger.getLogger("wanx.udp.stats");

    void attach(UdpConnection c) {
        this.conn = c;
        // With --log-level debug, one line per second of the sender's model: what an operator (or a
        // benchmark) needs to see why a link runs below its rate.
        if (STATS.isLoggable(java.util.logging.Level.FINE)) {
            loop.scheduleAtFixedRate(this::logStats, 1, 1, TimeUnit.SECONDS);
        }
    }

    private void logStats() {
        if (closed) throw new java.util.concurrent.CancellationException(); // ends the fixed-rate task
        STATS.fine(peerName + " " + conn.debugState() + " " + conn.counters);
    }

    UdpConnection connection() { return conn; }

    static long now() { return System.nanoTime(); }

    // ------------------------------------------------------------- FrameLink

    @Override
    public int maxFrameSize() { return conn.maxFrameSize(); }

    @Override
    public boolean isWritable() { return !closed && conn.isWritable(); }

    @Override
    public void send(ByteBuf frame) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> send(frame));
            return;
        }
        if (closed) {
            frame.release();
            return; // the session learns of it through onClosed
        }
        conn.send(frame);
    }

    @Override
    public void flush() {
        if (!loop.inEventLoop()) {
            loop.execute(this::flush);
            return;
        }
        if (!closed && !inBatch) { // in a read batch, its end flushes (later in this same event-loop task)
            conn.flush(now());
            reschedule();
        }
    }

    @Override
    public void setHandler(Handler h) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> setHandler(h));
            return;
        }
        this.handler = h;
        while (!early.isEmpty()) {
            h.onFrame(early.pollFirst());
        }
        if (closed) {
            h.onClosed(closeCause);
        }
    }

    @Override
    public EventLoop eventLoop() { return loop; }

    @Override
    public void close(String reason) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> close(reason));
            return;
        }
        if (!closed) {
            conn.close(reason, now());
        }
    }

    @Override
    public long lastHeardNs() { return conn.lastReceivedNs(); }

    /** Set once by the dial from the far's handshake reply. */
    void setAnnouncement(byte[] a) { this.announcement = a; }

    @Override
    public byte[] farAnnouncement() { return announcement.clone(); }

    @Override
    public void setFecAllowed(boolean allowed) {
        if (conn != null) conn.setFecAllowed(allowed);
    }

    @Override
    public void setFrameSplitter(FrameSplitter splitter) {
        if (conn != null) conn.frameSplitter(splitter);
    }

    @Override
    public String name() { return "udp"; }

    @Override
    public String peerName() { return peerName; }

    @Override
    public SessionStats carrierStats() {
        ConnectionCounters c = conn.counters;
        return new SessionStats(0, 0, c.frameBytesSent, c.frameBytesReceived, c.wireBytesSent, c.wireBytesReceived,
                conn.rtt().smoothedNs() / 1000, conn.lossRate(), conn.congestionControl().bandwidthEstimate() * 8);
    }

    @Override
    public java.util.Map<String, Long> carrierCounters() {
        ConnectionCounters c = conn.counters; // plain fields written on the loop: a status view may be a moment stale
        java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("packetsSent", c.packetsSent);
        m.put("packetsReceived", c.packetsReceived);
        m.put("packetsLost", c.packetsLost);
        m.put("lostRandom", c.lostRandom);
        m.put("lostCongestion", c.lostCongestion);
        m.put("framesRetransmitted", c.framesRetransmitted);
        m.put("fecRepairsSent", c.fecRepairsSent);
        m.put("fecRecovered", c.fecRecovered);
        m.put("peerFilled", c.peerFilled);
        m.put("migrations", c.migrations);
        m.put("forgedPackets", c.forgedPackets);
        m.put("pmtuProbes", c.pmtuProbes);
        m.put("pathMtuPayload", (long) conn.pathMtu().current());
        return m;
    }

    /** Detailed counters (drops, forgeries, retransmits); read on the event loop for exact values. */
    public ConnectionCounters counters() { return conn.counters; }

    public String congestionState() { return conn.congestionControl().state(); }

    /** The sender's model in one line (call on the event loop). */
    public String debugState() { return conn.debugState(); }

    /**
     * Near end only: moves to a fresh local socket (a new port), as after NAT rebinding or a network
     * change. The far end validates the new path and switches to it; nothing in flight is lost.
     */
    public io.netty.util.concurrent.Future<Void> rebind() {
        if (rebinder == null) {
            throw new IllegalStateException("only the connecting end can rebind");
        }
        io.netty.util.concurrent.Promise<Void> p = loop.newPromise();
        loop.execute(() -> rebinder.bind(this).addListener(f -> {
            if (!f.isSuccess()) {
                p.setFailure(f.cause());
                return;
            }
            Channel old = channel;
            out.flush(old);
            channel = ((io.netty.channel.ChannelFuture) f).channel();
            out.channelChanged(channel);
            old.close();
            conn.flush(now()); // the first packet from the new port starts the far end's path validation
            reschedule();
            p.setSuccess(null);
        }));
        return p;
    }

    public InetSocketAddress localAddress() { return (InetSocketAddress) channel.localAddress(); }

    // ------------------------------------------------------------- inbound from the channel

    /**
     * Takes in a datagram of a read batch; sending waits for {@link #endBatch}, which the socket's handler calls when
     * the batch ends (in the same event-loop task, microseconds later). True the first time in a batch that something
     * was taken in: the caller remembers this link for the end of the batch.
     */
    boolean onDatagram(ByteBuf content, InetSocketAddress sender) {
        if (closed) {
            return false;
        }
        boolean first = !inBatch;
        inBatch = true; // before receiving: a session answering a frame it delivers calls flush, which must wait too
        if (conn.receive(content, sender, now())) {
            return first;
        }
        if (first) {
            inBatch = false; // nothing taken in (duplicate, forged, ...): nothing to send for it, as before
        }
        return false;
    }

    /** The read batch ended: sends once what its datagrams made due (acks, data their acks let out) and re-arms the timer. */
    void endBatch() {
        if (!inBatch) {
            return;
        }
        inBatch = false;
        if (!closed) {
            conn.flush(now());
            reschedule();
        }
    }

    private void reschedule() {
        long at = conn.nextTimerNs();
        if (at == Long.MAX_VALUE || closed) {
            return;
        }
        if (timer != null && at >= timerAtNs) {
            return; // the earlier wake-up will recompute
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAtNs = at;
        timer = loop.schedule(this::fire, Math.max(0, at - now()), TimeUnit.NANOSECONDS);
    }

    private void fire() {
        timer = null;
        timerAtNs = Long.MAX_VALUE;
        if (closed) {
            return;
        }
        long n = now();
        if (n >= conn.nextTimerNs()) {
            conn.onTimer(n);
        }
        if (!closed) {
            reschedule();
        }
    }

    // ------------------------------------------------------------- UdpConnection.Io

    @Override
    public void sendDatagram(ByteBuf datagram, InetSocketAddress to) { out.addOwned(channel, datagram, to); }

    @Override
    public void sendDatagramCopy(ByteBuf datagram, InetSocketAddress to) { out.addCopy(channel, datagram, to); }

    @Override
    public void flushDatagrams() {
        out.flush(channel);
        channel.flush();
    }

    @Override
    public void onFrame(ByteBuf frame) {
        if (handler == null) {
            early.addLast(frame); // frames before the session layer attached; bounded by what one flight carries
            return;
        }
        handler.onFrame(frame);
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
        if (handler != null) {
            handler.onWritabilityChanged(writable);
        }
    }

    @Override
    public void onClosed(Throwable cause) {
        closed = true;
        closeCause = cause;
        if (timer != null) {
            timer.cancel(false);
        }
        flushDatagrams();
        if (rebinder != null) {
            channel.close(); // the near end owns its socket
        }
        onTerminated.accept(this);
        if (handler != null) {
            handler.onClosed(cause);
        } else {
            // No session attached (a probe round's loser): nobody will read what arrived, and a session attached
            // later only hears that the link closed.
            early.forEach(ByteBuf::release);
            early.clear();
        }
    }
}
