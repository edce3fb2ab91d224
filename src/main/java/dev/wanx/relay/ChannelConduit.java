package dev.wanx.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Netty TCP channel as a {@link Conduit}. Reading is driven by auto-read: off until a sink is set and while
 * the relay asks for backpressure. Requires ALLOW_HALF_CLOSURE so a FIN is seen as input shutdown, not close.
 * Install with {@link #attach(Channel)} as the last handler of the pipeline.
 */
public final class ChannelConduit extends ChannelDuplexHandler implements Conduit {
    // Bytes kept while reading is off (before the sink is set, or under backpressure): a batch or two at most.
    private static final int MAX_EARLY_BYTES = 4 << 20;

    private final Channel channel;
    private final ArrayDeque<ByteBuf> early = new ArrayDeque<>();
    private int earlyBytes;
    private volatile ConduitSink sink;
    private volatile boolean readEnabled = true;
    private boolean inputShutdown;
    private boolean outputShutdown;
    private boolean closedSignalled;

    private ChannelConduit(Channel channel) {
        this.channel = channel;
    }

    /** Adds the conduit handler to the end of {@code ch}'s pipeline. Call on the channel's event loop or before registration. */
    public static ChannelConduit attach(Channel ch) {
        ch.config().setAutoRead(false);
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        ChannelConduit c = new ChannelConduit(ch);
        ch.pipeline().addLast("conduit", c);
        return c;
    }

    public Channel channel() { return channel; }

    @Override public void write(ByteBuf data) {
        if (!channel.isActive() || outputShutdownRequested) {
            data.release();
            return;
        }
        // One flush (one writev) per run of the channel's loop instead of one send per buffer: a tunnel stream
        // hands over a ~1.4 KB frame at a time, and a send each cost the far end a third of its CPU on loopback.
        pending.add(data);
        if (!drainScheduled.getAndSet(true)) channel.eventLoop().execute(this::drainPending);
    }

    // Written by the producer's thread, drained on the channel's loop; bounded by the stream's credit upstream.
    private final Queue<ByteBuf> pending = PlatformDependent.newMpscQueue();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    private void drainPending() {
        drainScheduled.set(false); // before polling: a buffer added after this is seen here or by a new drain
        boolean wrote = false;
        ByteBuf b;
        while ((b = pending.poll()) != null) {
            if (!channel.isActive()) {
                b.release();
                continue;
            }
            channel.write(b).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
            wrote = true;
        }
        if (wrote) channel.flush();
    }

    private volatile boolean outputShutdownRequested;

    @Override public void shutdownOutput() {
        outputShutdownRequested = true;
        EventExecutor ex = channel.eventLoop();
        // Queue behind pending writes: flush first, then FIN.
        ex.execute(() -> {
            drainPending();
            if (outputShutdown) return;
            outputShutdown = true;
            channel.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(f -> {
                if (channel instanceof DuplexChannel d && channel.isActive()) {
                    d.shutdownOutput().addListener(x -> maybeCloseBoth());
                } else {
                    channel.close();
                }
            });
        });
    }

    private void maybeCloseBoth() {
        // Not while inbound bytes still wait in 'early' (reader paused): closing would drop them.
        if (inputShutdown && outputShutdown && early.isEmpty()) channel.close();
    }

    @Override public void abort(Throwable cause) {
        channel.eventLoop().execute(() -> {
            if (!channel.isOpen()) return;
            if (failure == null) failure = cause != null ? cause : new java.io.IOException("aborted");
            // SO_LINGER 0 makes close() send RST, so the app sees an error rather than a clean end.
            try { channel.config().setOption(ChannelOption.SO_LINGER, 0); } catch (RuntimeException ignored) { }
            channel.close();
        });
    }

    @Override public boolean isWritable() { return channel.isWritable(); }

    @Override public void setReadEnabled(boolean enabled) {
        readEnabled = enabled;
        channel.eventLoop().execute(this::applyRead);
    }

    private void applyRead() {
        ConduitSink s = sink;
        if (s != null && readEnabled) {
            drainEarly(s);
            if (inputShutdown && early.isEmpty() && !inputSignalled) {
                inputSignalled = true;
                s.onInputShutdown();
                maybeCloseBoth(); // deferred by a paused reader: close now that every byte went out
            }
        }
        requestRead();
    }

    /**
     * Manual reading (auto-read stays off): at most one read() outstanding, the next asked for only when the last
     * completed and the reader still wants data. Toggling auto-read instead lets epoll deliver batches scheduled
     * by a re-enable after reading was switched off again, which piles up when a relay toggles it often.
     */
    private void requestRead() {
        if (readOutstanding || sink == null || !readEnabled || inputShutdown || !early.isEmpty() || !channel.isActive()) return;
        readOutstanding = true;
        channel.read();
    }

    private boolean readOutstanding;

    @Override public void channelReadComplete(ChannelHandlerContext ctx) {
        readOutstanding = false;
        requestRead();
        ctx.fireChannelReadComplete();
    }

    private boolean inputSignalled;

    @Override public void setSink(ConduitSink sink) {
        this.sink = sink;
        channel.eventLoop().execute(() -> {
            applyRead();
            if (!channel.isActive()) signalClosed(null);
        });
    }

    @Override public EventExecutor executor() { return channel.eventLoop(); }

    @Override public String describe() { return String.valueOf(channel.remoteAddress()); }

    // ---- inbound from Netty ----

    @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ConduitSink s = sink;
        if (s != null && early.isEmpty()) {
            // Delivered even if reading was just switched off: epoll may still complete a read scheduled before
            // (one batch at most), and the receiving conduit's buffer absorbs it. Backpressure decides only
            // whether the next read() is issued, as in Netty's proxy example.
            s.onData(buf);
            return;
        }
        // No sink yet (a dial in progress), or older bytes still queued: keep order.
        if (earlyBytes + buf.readableBytes() > MAX_EARLY_BYTES) { // cannot happen: we issue no read meanwhile
            buf.release();
            abort(new IllegalStateException("inbound buffer overflow"));
            return;
        }
        early.add(buf);
        earlyBytes += buf.readableBytes();
        if (s != null && readEnabled) drainEarly(s);
    }

    private void drainEarly(ConduitSink s) {
        while (!early.isEmpty() && readEnabled) {
            ByteBuf b = early.poll();
            earlyBytes -= b.readableBytes();
            s.onData(b);
        }
    }

    @Override public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            applyRead();
            maybeCloseBoth();
        } else if (evt instanceof ChannelInputShutdownReadComplete) {
            // nothing: handled by the event above
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ConduitSink s = sink;
        if (s != null) s.onWritabilityChanged(channel.isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    private Throwable failure;

    @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) failure = cause;
        ctx.close();
    }

    @Override public void channelInactive(ChannelHandlerContext ctx) {
        while (!early.isEmpty()) early.poll().release();
        drainPending(); // releases what was queued for writing: the channel is gone
        earlyBytes = 0;
        boolean clean = failure == null && inputShutdown && outputShutdown;
        signalClosed(clean ? null : (failure != null ? failure : new java.io.IOException("connection " + describe()
                + " closed before both directions ended (in=" + inputShutdown + ", out=" + outputShutdown + ")")));
    }

    private void signalClosed(Throwable cause) {
        ConduitSink s = sink;
        if (s == null || closedSignalled) return;
        closedSignalled = true;
        s.onClosed(cause);
    }
}
