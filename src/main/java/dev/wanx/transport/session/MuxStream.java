package dev.wanx.transport.session;

import dev.wanx.relay.ConduitSink;
import dev.wanx.transport.DialError;
import dev.wanx.transport.DialException;
import dev.wanx.transport.IncomingStream;
import dev.wanx.transport.StreamOpen;
import dev.wanx.transport.TunnelStream;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * One stream's state: a send queue limited by the peer's credit, and a receive side that reassembles
 * out-of-order DATA by offset. All fields are touched on the session's event loop only; the public
 * {@link TunnelStream} methods hop there.
 */
final class MuxStream implements TunnelStream, IncomingStream {
    final long id;
    private final MuxSession session;
    private final StreamOpen open;
    final boolean local;
    final CompletableFuture<TunnelStream> opened; // local streams: completes on OPEN_OK
    int flags;

    // send side
    private final ArrayDeque<ByteBuf> sendQueue = new ArrayDeque<>();
    private long queuedBytes;
    private long sendOffset;
    private long peerMax = MuxOptions.INITIAL_WINDOW;
    private boolean finRequested;
    private boolean finSent;
    private volatile boolean writable = true;
    boolean inSendReady;
    boolean inSessionWait;

    // receive side
    private final TreeMap<Long, ByteBuf> outOfOrder = new TreeMap<>();
    private final ArrayDeque<ByteBuf> ready = new ArrayDeque<>();
    private long recvOffset;          // next contiguous byte expected
    private long finOffset = -1;
    private long consumed;            // delivered to the sink
    private long bytesIn;             // stream bytes handed to onData (session credit's accounting)
    private long releasedIn;          // ... of which delivered or dropped as duplicates
    long advertisedMax = MuxOptions.INITIAL_WINDOW;
    private long window = MuxOptions.INITIAL_WINDOW;
    private boolean readEnabled = true;
    private boolean finDelivered;
    private ConduitSink sink;
    boolean openSeen;                 // remote streams: OPEN arrived (DATA may come first)
    boolean accepted;
    boolean closed;

    MuxStream(MuxSession session, long id, StreamOpen open, boolean local) {
        this.session = session;
        this.id = id;
        this.open = open;
        this.local = local;
        this.opened = local ? new CompletableFuture<>() : null;
    }

    private MuxStream(MuxSession session, long id) { this(session, id, null, false); }

    static MuxStream placeholder(MuxSession session, long id) { return new MuxStream(session, id); }

    private StreamOpen openInfo; // remote streams learn it from OPEN, possibly after DATA

    void setOpenInfo(StreamOpen o) { this.openInfo = o; this.openSeen = true; }

    @Override public long id() { return id; }

    @Override public StreamOpen open() { return open != null ? open : openInfo; }

    @Override public String peerName() { return session.peerName(); }

    @Override public int flags() { return flags; }

    @Override public CompletableFuture<TunnelStream> opened() {
        return opened != null ? opened : CompletableFuture.completedFuture(this);
    }

    @Override public EventExecutor executor() { return session.loop(); }

    @Override public String describe() { return "stream " + id + " to " + open(); }

    // ---------------- IncomingStream ----------------

    @Override public io.netty.channel.EventLoop loop() { return session.loop(); }

    @Override public TunnelStream accept() {
        session.onLoop(() -> {
            if (closed || accepted) return;
            accepted = true;
            session.sendControl(Frame.openOk(session.alloc(), id));
            widenAtStart();
            deliver();
        });
        return this;
    }

    @Override public void reject(DialError error, String reason) {
        session.onLoop(() -> {
            if (closed) return;
            session.sendControl(Frame.reset(session.alloc(), id, error.code, reason));
            finish(new DialException(error, reason));
        });
    }

    // ---------------- Conduit (any thread) ----------------

    @Override public void write(ByteBuf data) {
        if (!data.isReadable()) {
            data.release();
            return;
        }
        int n = data.readableBytes();
        // Writability is decided here, on the caller's thread, so a relay sees backpressure at once.
        synchronized (this) {
            pendingWrites += n;
            if (queuedBytesApprox() > session.options().sendHighWater()) writable = false;
        }
        session.onLoop(() -> {
            synchronized (this) { pendingWrites -= n; }
            if (closed || finRequested) {
                data.release();
                return;
            }
            sendQueue.add(data);
            queuedBytes += n;
            session.markSendReady(this);
        });
    }

    private long pendingWrites; // guarded by this: bytes handed to write() not yet queued on the loop

    private long queuedBytesApprox() { return queuedBytes + pendingWrites; }

    @Override public void shutdownOutput() {
        session.onLoop(() -> {
            if (closed || finRequested) return;
            finRequested = true;
            session.markSendReady(this);
        });
    }

    @Override public void abort(Throwable cause) {
        session.onLoop(() -> {
            if (closed) return;
            session.sendControl(Frame.reset(session.alloc(), id, DialError.GENERAL.code,
                    cause == null ? "aborted" : String.valueOf(cause.getMessage())));
            finish(cause == null ? new IOException("aborted") : cause);
        });
    }

    @Override public boolean isWritable() { return writable; }

    @Override public void setReadEnabled(boolean enabled) {
        session.onLoop(() -> {
            readEnabled = enabled;
            if (enabled) deliver();
        });
    }

    @Override public void setSink(ConduitSink s) {
        session.onLoop(() -> {
            sink = s;
            if (closed) {
                s.onClosed(closeCause);
                return;
            }
            deliver();
        });
    }

    // ---------------- send side (loop) ----------------

    boolean hasSendable() {
        if (closed) return false;
        if (queuedBytes > 0 && sendOffset < peerMax) {
            if (session.sendRoom() > 0) return true;
            session.waitForSessionCredit(this); // the peer's next SESSION_MAX puts it back in the rotation
            return false;
        }
        return finRequested && !finSent && queuedBytes == 0;
    }

    /** Emits at most one DATA (or DATA_V) frame of up to {@code maxFrame} bytes; returns data bytes sent. */
    int sendOne(int maxFrame) {
        boolean compact = session.compactData();
        int maxData = maxFrame - Frame.dataHeaderSize(id, sendOffset, compact);
        long credit = Math.min(peerMax - sendOffset, session.sendRoom());
        int n = (int) Math.min(Math.min(maxData, queuedBytes), credit);
        boolean fin = finRequested && n == queuedBytes;
        if (n <= 0 && !fin) return 0;
        ByteBuf f = Frame.dataHeader(session.alloc(), id, sendOffset, fin, n, compact);
        int left = n;
        while (left > 0) {
            ByteBuf head = sendQueue.peek();
            int take = Math.min(left, head.readableBytes());
            f.writeBytes(head, take);
            left -= take;
            if (!head.isReadable()) sendQueue.poll().release();
        }
        queuedBytes -= n;
        sendOffset += n;
        if (fin) finSent = true;
        session.sendData(f, n);
        updateWritability();
        if (fin) maybeFinish();
        return n;
    }

    private void updateWritability() {
        boolean now;
        synchronized (this) {
            long q = queuedBytesApprox();
            now = writable ? q <= session.options().sendHighWater() : q <= session.options().sendLowWater();
            if (now == writable) return;
            writable = now;
        }
        if (sink != null) sink.onWritabilityChanged(now);
    }

    /** A stream this end opens takes early credit from the peer's ALLOWANCE: it may send that much more at once. */
    void addEarlyCredit(long n) { peerMax += n; }

    /** A peer stream's OPEN took early credit: its window starts that much larger (already counted by the session). */
    void grantEarly(long n) { advertisedMax += n; }

    /** Bytes beyond the credit held for this peer stream while its OPEN had not come (session's accounting). */
    long earlyHeld;
    private long receivedEnd;

    /** The highest stream offset received so far. */
    long receivedEnd() { return receivedEnd; }

    void onCredit(long max) {
        if (max > peerMax) {
            peerMax = max;
            session.markSendReady(this);
        }
    }

    /** The stream's first data goes inside OPEN; returns how much of {@code first} fit. */
    void sentInOpen(int n) { sendOffset = n; }

    // ---------------- receive side (loop) ----------------

    /** Takes ownership of {@code data}. Returns an error text on a protocol violation, else null. */
    String onData(long offset, ByteBuf data, boolean fin) {
        bytesIn += data.readableBytes();
        long end = offset + data.readableBytes();
        if (end > advertisedMax && (local || openSeen || !session.credit().holdEarly(this, end - advertisedMax))) {
            data.release();
            return "peer exceeded flow-control credit";
        }
        receivedEnd = Math.max(receivedEnd, end);
        if (fin) {
            if (finOffset >= 0 && finOffset != end) {
                data.release();
                return "conflicting FIN offsets";
            }
            finOffset = end;
        }
        if (finOffset >= 0 && end > finOffset) {
            data.release();
            return "data past FIN";
        }
        if (end <= recvOffset || !data.isReadable()) {
            dropIn(data.readableBytes());
            data.release();
        } else if (offset <= recvOffset) {
            appendReady(offset, data);
            drainOutOfOrder();
        } else {
            ByteBuf prev = outOfOrder.put(offset, data);
            if (prev != null) { // a duplicate: the carrier should never send one
                dropIn(prev.readableBytes());
                prev.release();
            }
        }
        deliver();
        return null;
    }

    /** Received bytes this stream will not deliver (it has them already) leave the session's count. */
    private void dropIn(long n) {
        if (n <= 0) return;
        releasedIn += n;
        session.credit().onDropped(n);
    }

    /** Stream bytes handed to this stream so far (the session's accounting of what no stream kept). */
    long bytesIn() { return bytesIn; }

    /** Received bytes this stream holds, delivered to nobody yet: released when it finishes. */
    long heldBytes() { return bytesIn - releasedIn; }

    private void appendReady(long offset, ByteBuf data) {
        int skip = (int) (recvOffset - offset);
        if (skip > 0) {
            dropIn(skip);
            data.skipBytes(skip);
        }
        recvOffset += data.readableBytes();
        ready.add(data);
    }

    private void drainOutOfOrder() {
        Map.Entry<Long, ByteBuf> e;
        while ((e = outOfOrder.firstEntry()) != null && e.getKey() <= recvOffset) {
            outOfOrder.pollFirstEntry();
            ByteBuf b = e.getValue();
            if (e.getKey() + b.readableBytes() <= recvOffset) {
                dropIn(b.readableBytes());
                b.release();
            } else appendReady(e.getKey(), b);
        }
    }

    /** Hands contiguous bytes to the sink while reading is enabled, then grants credit. */
    void deliver() {
        if (sink == null || closed || (!local && !accepted)) return;
        while (readEnabled && !ready.isEmpty() && !closed) {
            ByteBuf b = ready.poll();
            consumed += b.readableBytes();
            releasedIn += b.readableBytes();
            session.credit().onConsumed(b.readableBytes());
            sink.onData(b);
        }
        if (closed) return;
        if (ready.isEmpty() && finOffset >= 0 && consumed == finOffset && !finDelivered) {
            finDelivered = true;
            sink.onInputShutdown();
        }
        if (readEnabled && !finDelivered) grantCredit();
        maybeFinish();
    }

    /**
     * Starts the receive window where this session's streams grew to, with one CREDIT now, instead of the protocol's
     * 1 MiB: on a long fat path (250 ms, 100 Mbit/s: 3 MB in flight) that held the first round trips of every new
     * transfer below the link rate while the window doubled.
     */
    void widenAtStart() {
        long w = session.credit().startWindow();
        if (w <= window || closed) return;
        window = w;
        grantCredit();
    }

    private void grantCredit() {
        // Bytes waiting behind a hole are not the reader's backlog: the carrier re-sends the missing frame within a
        // round trip or so. Counted against the window, one loss in a new stream's first 4 MiB held its sender for
        // that round trip (lab, 250 ms upload: almost nothing sent for 0.25 s). The session budget still bounds them.
        long target = consumed + window + (receivedEnd - recvOffset);
        long delta = target - advertisedMax;
        if (delta < window / 4) return; // batch credit updates
        long granted = session.credit().reserve(delta, advertisedMax - consumed);
        if (granted <= 0) return;
        advertisedMax += granted;
        if (window < session.options().maxWindow()) window = Math.min(window * 2, session.options().maxWindow());
        session.credit().noteWindow(window);
        session.sendControl(Frame.credit(session.alloc(), id, advertisedMax));
    }

    long outstandingCredit() { return advertisedMax - consumed; }

    private void maybeFinish() {
        if (finSent && finDelivered) finish(null);
    }

    private Throwable closeCause;

    /** Ends the stream and frees its buffers; cause null for a clean end. */
    void finish(Throwable cause) {
        if (closed) return;
        closed = true;
        closeCause = cause;
        for (ByteBuf b : sendQueue) b.release();
        sendQueue.clear();
        queuedBytes = 0;
        for (ByteBuf b : ready) b.release();
        ready.clear();
        for (ByteBuf b : outOfOrder.values()) b.release();
        outOfOrder.clear();
        session.onStreamFinished(this);
        if (opened != null && !opened.isDone()) {
            opened.completeExceptionally(cause instanceof DialException ? cause
                    : new DialException(DialError.TUNNEL_DOWN, cause == null ? "stream closed" : String.valueOf(cause.getMessage()), cause));
        }
        if (sink != null) sink.onClosed(cause);
    }

    void onReset(int code, String reason) {
        finish(new DialException(DialError.fromCode(code), reason.isEmpty() ? "reset by peer" : reason));
    }
}
