package dev.wanx.near.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes the connection when a request head takes too long to arrive: from accept, or from the first byte of
 * a later request on a kept-alive connection. Sits before the HTTP codec and sees raw bytes; the proxy handler
 * says when a head is complete ({@link #headReceived}) and when the next one is awaited ({@link #awaitNext}).
 * Slow-loris clients and half-open garbage then cost at most this long; idle keep-alive is the idle timeout's job.
 */
final class HeadTimeoutHandler extends ChannelInboundHandlerAdapter {
    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private boolean awaiting = true;
    private ScheduledFuture<?> timer;

    HeadTimeoutHandler(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) start();
    }

    @Override public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (awaiting && msg instanceof ByteBuf b && b.isReadable()) start();
        ctx.fireChannelRead(msg);
    }

    @Override public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    void headReceived() {
        awaiting = false;
        cancel();
    }

    void awaitNext() {
        awaiting = true;
    }

    private void start() {
        if (timer != null || !awaiting) return;
        timer = ctx.executor().schedule(() -> {
            timer = null;
            if (awaiting) ctx.close();
        }, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
