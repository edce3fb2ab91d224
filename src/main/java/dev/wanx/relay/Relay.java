package dev.wanx.relay;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Joins two conduits both ways with backpressure and half-close: bytes read from one are written to the
 * other, and reading from a side pauses while the other side's outbound buffer is full (Netty's auto-read-off
 * proxy pattern, driven by writability instead of per-write listeners). An abort on either side aborts both.
 */
public final class Relay {
    private final Conduit a;
    private final Conduit b;
    private final AtomicInteger finsSeen = new AtomicInteger();
    private volatile boolean done;

    private Relay(Conduit a, Conduit b) {
        this.a = a;
        this.b = b;
    }

    public static Relay join(Conduit a, Conduit b) {
        Relay r = new Relay(a, b);
        a.setSink(r.new Direction(a, b));
        b.setSink(r.new Direction(b, a));
        return r;
    }

    private final class Direction implements ConduitSink {
        private final Conduit from;
        private final Conduit to;

        Direction(Conduit from, Conduit to) {
            this.from = from;
            this.to = to;
        }

        @Override public void onData(ByteBuf data) {
            if (done) {
                data.release();
                return;
            }
            to.write(data);
            if (!to.isWritable()) {
                from.setReadEnabled(false);
                // The writability event may have fired between write and check; re-check to avoid a stall.
                if (to.isWritable()) from.setReadEnabled(true);
            }
        }

        @Override public void onInputShutdown() {
            to.shutdownOutput();
            finsSeen.incrementAndGet();
        }

        @Override public void onClosed(Throwable cause) {
            if (cause != null && !done) {
                done = true;
                to.abort(cause);
            } else if (cause == null && finsSeen.get() < 2) {
                // Closed cleanly on this side but the other direction is still open: end it gracefully.
                to.shutdownOutput();
            }
        }

        @Override public void onWritabilityChanged(boolean writable) {
            // 'from' here is the conduit whose outbound changed; it throttles the opposite reader.
            to.setReadEnabled(writable);
        }
    }
}
