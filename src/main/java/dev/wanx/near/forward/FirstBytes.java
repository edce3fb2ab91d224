package dev.wanx.near.forward;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Holds a forwarded connection for a moment to catch the client's first bytes, so the dial carries them: through
 * the tunnel they ride with the stream open (one round trip to the first answer instead of two), and if the tunnel
 * fails they are still there to send direct. Most protocols speak first from the client (HTTP, TLS, SMB); for
 * those whose server speaks first (SMTP, IMAP, SSH's banner) the wait ends after {@link #WAIT_MS} with no bytes.
 * Removes itself and turns auto-read off before handing over, so later bytes wait for the relay.
 */
final class FirstBytes extends ChannelInboundHandlerAdapter {
    static final long WAIT_MS = 20;

    private final Consumer<ByteBuf> then;
    private ScheduledFuture<?> timer;
    private boolean done;

    /** @param then runs once on the channel's loop with the first bytes (ownership passes) or null */
    FirstBytes(Consumer<ByteBuf> then) { this.then = then; }

    @Override public void handlerAdded(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> finish(ctx, null), WAIT_MS, TimeUnit.MILLISECONDS);
    }

    @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done) {
            ctx.pipeline().fireChannelRead(msg); // handed over: the relay's handler was added after this one left
        } else {
            finish(ctx, (ByteBuf) msg);
        }
    }

    @Override public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (done) {
            ctx.pipeline().fireUserEventTriggered(evt);
            return;
        }
        finish(ctx, null); // e.g. the client half-closed without a byte: hand over, then the relay sees the event
        ctx.pipeline().fireUserEventTriggered(evt); // from the head: this handler's own next is stale once removed
    }

    @Override public void channelInactive(ChannelHandlerContext ctx) {
        if (!done) {
            done = true;
            timer.cancel(false); // the client left during the wait: nothing to dial
        }
        ctx.fireChannelInactive();
    }

    private void finish(ChannelHandlerContext ctx, ByteBuf first) {
        if (done) {
            if (first != null) ctx.pipeline().fireChannelRead(first);
            return;
        }
        done = true;
        timer.cancel(false);
        ctx.channel().config().setAutoRead(false);
        ctx.pipeline().remove(this);
        then.accept(first);
    }
}
