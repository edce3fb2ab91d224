package dev.wanx.near.http;

import dev.wanx.near.DialFailures;
import dev.wanx.near.OutboundDialer;
import dev.wanx.relay.Conduit;
import dev.wanx.relay.ConduitSink;
import dev.wanx.transport.DialError;
import dev.wanx.transport.DialException;
import dev.wanx.transport.Hint;
import dev.wanx.transport.StreamOpen;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One upstream HTTP/1.1 connection of a proxied client: the dialed {@link Conduit} plus an {@link EmbeddedChannel}
 * running {@link HttpClientCodec} as a virtual client connection. Request objects go in and come out as bytes for
 * the conduit; conduit bytes go in and come out as response objects. The codec pairs responses with requests
 * (HEAD, 1xx, 204, 304), so nothing here parses HTTP by hand.
 *
 * <p>The dial is deferred until {@link #dialIfNew()} so the first request head, and whatever body has already
 * arrived, ride with the stream open. Confined to the client's event loop; conduit callbacks hop onto it.
 */
final class UpstreamSession {
    /** Callbacks to the owning proxy handler, always on its event loop. */
    interface Owner {
        void onResponse(UpstreamSession s, HttpObject response);
        void onResponseBatchDone(UpstreamSession s);
        void onDialFailed(UpstreamSession s, DialException e);
        void onUpstreamEnded(UpstreamSession s, Throwable cause);
        void onUpstreamWritability(UpstreamSession s);
    }

    enum State { NEW, DIALING, OPEN, CLOSED }

    /** Dial as soon as this much request data is waiting, instead of at the end of the read batch. */
    static final int MAX_PENDING = 64 * 1024;

    private final Owner owner;
    private final EventExecutor loop;
    private final ProxyTarget target;
    private final String url;
    private final EmbeddedChannel codec = new EmbeddedChannel(new HttpClientCodec(8192, 64 * 1024, 64 * 1024));
    private final List<ByteBuf> pending = new ArrayList<>();
    private int pendingBytes;
    private State state = State.NEW;
    private Conduit conduit;

    UpstreamSession(Owner owner, EventExecutor loop, ProxyTarget target, String url) {
        this.owner = owner;
        this.loop = loop;
        this.target = target;
        this.url = url;
    }

    ProxyTarget target() { return target; }

    State state() { return state; }

    boolean writable() { return conduit == null || conduit.isWritable(); }

    /** Encodes a request part; takes ownership of {@code part}. */
    void send(HttpObject part) {
        if (state == State.CLOSED) {
            ReferenceCountUtil.release(part);
            return;
        }
        codec.writeOutbound(part);
        for (ByteBuf b; (b = codec.readOutbound()) != null; ) {
            if (state == State.OPEN) {
                conduit.write(b);
            } else {
                pending.add(b);
                pendingBytes += b.readableBytes();
            }
        }
    }

    boolean pendingFull() { return pendingBytes >= MAX_PENDING; }

    /** Starts the dial with everything encoded so far as first data (no-op once dialed). */
    void dialIfNew(OutboundDialer dialer) {
        if (state != State.NEW) return;
        state = State.DIALING;
        ByteBuf first = pending.isEmpty() ? null : Unpooled.wrappedBuffer(pending.toArray(new ByteBuf[0]));
        pending.clear();
        pendingBytes = 0;
        StreamOpen dest = new StreamOpen(target.host(), target.port(), Hint.HTTP);
        CompletableFuture<Conduit> f = OutboundDialer.dialSafely(dialer, dest, url, first);
        f.whenComplete((c, err) -> onLoop(() -> dialed(c, err), c));
    }

    private void dialed(Conduit c, Throwable err) {
        if (state == State.CLOSED) {
            if (c != null) c.abort(new IOException("proxy request abandoned"));
            return;
        }
        if (err != null) {
            close();
            owner.onDialFailed(this, DialFailures.unwrap(err));
            return;
        }
        conduit = c;
        state = State.OPEN;
        for (ByteBuf b : pending) c.write(b); // request body parts that arrived during the dial
        pending.clear();
        pendingBytes = 0;
        c.setSink(new Sink());
        owner.onUpstreamWritability(this);
    }

    void setReadEnabled(boolean enabled) {
        if (conduit != null) conduit.setReadEnabled(enabled);
    }

    /** Drops the upstream connection; safe to call at any time and more than once. */
    void close() {
        if (state == State.CLOSED) return;
        state = State.CLOSED;
        for (ByteBuf b : pending) b.release();
        pending.clear();
        for (ByteBuf b; (b = inbound.poll()) != null; ) b.release(); // later arrivals: released by their drain task
        codec.finishAndReleaseAll();
        if (conduit != null) conduit.abort(new IOException("proxy closed upstream connection"));
    }

    private void onLoop(Runnable r, Conduit orphan) {
        if (loop.inEventLoop()) {
            r.run();
            return;
        }
        try {
            loop.execute(r);
        } catch (RuntimeException shutDown) {
            if (orphan != null) orphan.abort(shutDown);
        }
    }

    /** Whether an upstream ended because its tunnel session closed (not because the far or the origin said so). */
    static boolean tunnelDown(Throwable cause) {
        return cause != null && DialFailures.unwrap(cause).error() == DialError.TUNNEL_DOWN;
    }

    private void ended(Throwable cause) {
        if (state == State.CLOSED) return;
        // End of input completes a read-until-close response: let the codec emit its final LastHttpContent. Not when
        // the tunnel went down: that cut the response short, and a truncated body must not look complete.
        if (!tunnelDown(cause)) {
            codec.finish();
            deliver();
        }
        if (state == State.CLOSED) return;
        close();
        owner.onUpstreamEnded(this, cause);
    }

    private void deliver() {
        for (Object o; (o = codec.readInbound()) != null; ) {
            if (state == State.CLOSED) {
                ReferenceCountUtil.release(o);
            } else {
                owner.onResponse(this, (HttpObject) o);
            }
        }
        if (state != State.CLOSED) owner.onResponseBatchDone(this);
    }

    /**
     * Response bytes the tunnel delivered, not yet taken by the client's loop. One task takes all that queued up, so a
     * response decodes and flushes to the client once per batch: one task and one flush per tunnel frame kept the near
     * ~4 ms behind a 100 KB response at 100 Mbit/s (lab, 1370-byte writes to the client, each its own task).
     */
    private final Queue<ByteBuf> inbound = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    private void drainInbound() {
        drainScheduled.set(false);
        boolean any = false;
        for (ByteBuf b; (b = inbound.poll()) != null; ) {
            if (state == State.CLOSED) {
                b.release();
            } else {
                codec.writeInbound(b);
                any = true;
            }
        }
        if (any) deliver();
    }

    /** Conduit events, moved onto the client's loop so the proxy state has a single thread. */
    private final class Sink implements ConduitSink {
        @Override public void onData(ByteBuf data) {
            inbound.add(data);
            if (!drainScheduled.getAndSet(true)) onLoop(UpstreamSession.this::drainInbound, null);
        }

        // Bytes still queued go first (they came before the end; a task that would take them may still be queued).
        @Override public void onInputShutdown() { onLoop(() -> { drainInbound(); ended(null); }, null); }

        @Override public void onClosed(Throwable cause) { onLoop(() -> { drainInbound(); ended(cause); }, null); }

        @Override public void onWritabilityChanged(boolean writable) {
            onLoop(() -> { if (state == State.OPEN) owner.onUpstreamWritability(UpstreamSession.this); }, null);
        }
    }
}
