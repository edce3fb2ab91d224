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
import java.util.ArrayDeque;

/**
 * A Netty TCP channel as a {@link Conduit}. Reading is driven by auto-read: off until a sink is set and while
 * the relay asks for backpressure. Requires ALLOW_HALF_CLOSURE so a FIN is seen as input shutdown, not close.
 * Install with {@link #attach(Channel)} as the last handler of the pipeline.
 */
public final class ChannelConduit extends ChannelDuplexHandler implements Conduit {
    private static final int MAX_EARLY = 64; // buffers that arrived before the sink was set (auto-read is off)

    private final Channel channel;
    private final ArrayDeque<ByteBuf> early = new ArrayDeque<>();
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
        channel.writeAndFlush(data).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    }

    private volatile boolean outputShutdownRequested;

    @Override public void shutdownOutput() {
        outputShutdownRequested = true;
        EventExecutor ex = channel.eventLoop();
        // Queue behind pending writes: flush first, then FIN.
        ex.execute(() -> {
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
            while (!early.isEmpty() && readEnabled) s.onData(early.poll());
            if (inputShutdown && early.isEmpty() && !inputSignalled) {
                inputSignalled = true;
                s.onInputShutdown();
                maybeCloseBoth(); // deferred by a paused reader: close now that every byte went out
            }
        }
        boolean want = s != null && readEnabled && !inputShutdown && early.isEmpty();
        channel.config().setAutoRead(want);
        if (want) channel.read();
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
        if (s != null && readEnabled && early.isEmpty()) {
            s.onData(buf);
        } else {
            if (early.size() >= MAX_EARLY) { // cannot happen with auto-read off; defend the bound anyway
                buf.release();
                abort(new IllegalStateException("inbound buffer overflow"));
                return;
            }
            early.add(buf);
            channel.config().setAutoRead(false);
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
        boolean clean = failure == null && inputShutdown && outputShutdown;
        signalClosed(clean ? null : (failure != null ? failure : new java.io.IOException("connection closed")));
    }

    private void signalClosed(Throwable cause) {
        ConduitSink s = sink;
        if (s == null || closedSignalled) return;
        closedSignalled = true;
        s.onClosed(cause);
    }
}
