package dev.wanx.near;

import dev.wanx.relay.Conduit;
import dev.wanx.relay.ConduitSink;
import dev.wanx.transport.DialError;
import dev.wanx.transport.DialException;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * A tunnel stream that takes the client's bytes before the far confirmed the open, so an upload through a port
 * forward fills the first round trip instead of waiting for OPEN_OK with its bytes in the kernel (lab, 250 ms:
 * only the first 99 bytes left in the first round trip). Fail-forward still holds: until the far confirms, a copy
 * of every byte written is kept (at most {@link #COPY_LIMIT}; beyond it the conduit reports not writable), and if
 * the tunnel goes down before the confirmation the copies are replayed into a direct connection, which then takes
 * the tunnel's place. Nothing from the tunnel reaches the sink before the confirmation, so a switch is invisible
 * to the client. Other open failures (refused, denied) close the conduit with the far's error.
 *
 * <p>Thread-safe like every conduit. The client writes from one thread; the confirmation and the switch come
 * from the tunnel's loop and the direct dial's.
 */
public final class EarlyConduit implements Conduit {
    /**
     * Bytes kept for a replay. Before the far answers, a stream sends at most its 1 MiB window and up to 3 MiB of
     * early credit (docs/PROTOCOL.md, "Early credit"), with a little queued behind them. At 2 MiB this limit, not
     * the credit, held an upload's first round trip at 250 ms to 2.1 MB where the path holds 3.1 (lab).
     */
    public static final int COPY_LIMIT = 5 << 20;

    private enum State { UNCONFIRMED, SWITCHING, CONFIRMED, FAILED }

    private final Supplier<CompletableFuture<Conduit>> direct;
    private final int copyLimit;
    private final ArrayDeque<ByteBuf> copies = new ArrayDeque<>();
    private long copied;
    private boolean outputShut;
    private State state = State.UNCONFIRMED; // guarded by this
    private volatile Conduit inner;
    private volatile ConduitSink sink;
    private volatile boolean readEnabled = true;
    private Throwable failure; // guarded by this: why it failed, for a sink set afterwards

    /**
     * @param tunnel the opened-but-unconfirmed tunnel conduit; its first bytes already written, {@code first} a copy
     * @param opened completes on the far's confirmation, or with the open's failure
     * @param first  a copy of the bytes written into {@code tunnel} already (ownership passes), or null
     * @param direct dials the destination directly: used once, if the tunnel goes down before the confirmation
     */
    public EarlyConduit(Conduit tunnel, CompletableFuture<?> opened, ByteBuf first,
                        Supplier<CompletableFuture<Conduit>> direct) {
        this(tunnel, opened, first, direct, COPY_LIMIT);
    }

    EarlyConduit(Conduit tunnel, CompletableFuture<?> opened, ByteBuf first,
                 Supplier<CompletableFuture<Conduit>> direct, int copyLimit) {
        this.inner = tunnel;
        this.direct = direct;
        this.copyLimit = copyLimit;
        if (first != null) {
            copied = first.readableBytes();
            copies.add(first);
        }
        tunnel.setReadEnabled(false); // until confirmed: the far's bytes wait in the stream's bounded buffers
        tunnel.setSink(new Forwarder(tunnel));
        opened.whenComplete((ok, err) -> {
            if (err == null) confirm();
            else onOpenFailed(err instanceof CompletionException && err.getCause() != null ? err.getCause() : err);
        });
    }

    @Override public void write(ByteBuf data) {
        Conduit to;
        synchronized (this) {
            switch (state) {
                case UNCONFIRMED -> {
                    copies.add(data.retainedDuplicate());
                    copied += data.readableBytes();
                    inner.write(data); // under the lock: a switch must not slip between the copy and the write
                    return;
                }
                case SWITCHING -> { // the direct connection takes it after the replay
                    copies.add(data);
                    copied += data.readableBytes();
                    return;
                }
                case FAILED -> {
                    data.release();
                    return;
                }
                default -> to = inner;
            }
        }
        to.write(data);
    }

    @Override public void shutdownOutput() {
        Conduit to;
        synchronized (this) {
            outputShut = true;
            if (state == State.SWITCHING || state == State.FAILED) return; // the replay ends with it
            to = inner;
        }
        to.shutdownOutput();
    }

    @Override public void abort(Throwable cause) {
        Conduit to;
        synchronized (this) {
            to = inner;
            state = State.FAILED;
            failure = cause;
            releaseCopies();
        }
        to.abort(cause);
    }

    @Override public boolean isWritable() {
        synchronized (this) {
            return switch (state) {
                case UNCONFIRMED -> copied < copyLimit && inner.isWritable();
                case SWITCHING -> copied < copyLimit;
                case CONFIRMED -> inner.isWritable();
                case FAILED -> true; // writes are dropped; the sink hears the failure
            };
        }
    }

    @Override public void setReadEnabled(boolean enabled) {
        readEnabled = enabled;
        passReads();
    }

    @Override public void setSink(ConduitSink s) {
        Throwable failed;
        synchronized (this) {
            sink = s;
            failed = state == State.FAILED ? failure : null;
        }
        if (failed != null) s.onClosed(failed);
        else passReads();
    }

    /**
     * The inner conduit delivers only once it is the confirmed one and a sink is there to take its bytes. Queued on
     * its loop, reading the flag when it runs: a stream applies each call's value in the order the calls reach its
     * loop, and an "on" run at once from the loop (the confirmation) overtook the constructor's queued "off", which
     * left the stream deaf for good (FailForwardTest, about one run in five).
     */
    private void passReads() {
        Conduit to;
        synchronized (this) {
            if (state != State.CONFIRMED || sink == null) return;
            to = inner;
        }
        to.executor().execute(() -> {
            if (inner == to) to.setReadEnabled(readEnabled);
        });
    }

    @Override public EventExecutor executor() { return inner.executor(); }

    @Override public String describe() { return inner.describe(); }

    /** Bytes kept for a replay now (tests). */
    synchronized long copiedBytes() { return copied; }

    private void confirm() {
        synchronized (this) {
            if (state != State.UNCONFIRMED) return;
            state = State.CONFIRMED;
            releaseCopies();
        }
        passReads();
        ConduitSink s = sink;
        if (s != null) s.onWritabilityChanged(isWritable()); // a relay paused at the copy limit reads again
    }

    private void onOpenFailed(Throwable cause) {
        boolean failForward = cause instanceof DialException d && d.error() == DialError.TUNNEL_DOWN;
        Conduit tunnel;
        synchronized (this) {
            if (state != State.UNCONFIRMED) return;
            tunnel = inner;
            if (failForward) {
                state = State.SWITCHING;
            } else {
                state = State.FAILED;
                failure = cause;
                releaseCopies();
            }
        }
        tunnel.abort(cause); // frees its buffers (and a codec's state); the stream is gone already
        if (!failForward) {
            closeSink(cause);
            return;
        }
        CompletableFuture<Conduit> dialed;
        try {
            dialed = direct.get();
        } catch (RuntimeException e) {
            dialed = CompletableFuture.failedFuture(e);
        }
        dialed.whenComplete((d, err) -> {
            if (err != null) fail(err instanceof CompletionException && err.getCause() != null ? err.getCause() : err);
            else switchTo(d);
        });
    }

    private void switchTo(Conduit d) {
        boolean shut;
        synchronized (this) {
            if (state != State.SWITCHING) { // aborted meanwhile
                d.abort(failure);
                return;
            }
            while (!copies.isEmpty()) d.write(copies.poll());
            copied = 0;
            shut = outputShut;
            inner = d;
            state = State.CONFIRMED;
        }
        if (shut) d.shutdownOutput();
        d.setSink(new Forwarder(d));
        passReads();
        ConduitSink s = sink;
        if (s != null) s.onWritabilityChanged(isWritable());
    }

    private void fail(Throwable cause) {
        synchronized (this) {
            if (state == State.FAILED) return;
            state = State.FAILED;
            failure = cause;
            releaseCopies();
        }
        closeSink(cause);
    }

    private void closeSink(Throwable cause) {
        ConduitSink s = sink;
        if (s != null) s.onClosed(cause);
    }

    private void releaseCopies() {
        while (!copies.isEmpty()) copies.poll().release();
        copied = 0;
    }

    /**
     * One inner conduit's events, passed on while it is the current one (data cannot come before it is confirmed:
     * reads are off). A tunnel replaced by a direct connection may still report its end late; that is not the
     * client's end.
     */
    private final class Forwarder implements ConduitSink {
        private final Conduit of;

        Forwarder(Conduit of) { this.of = of; }

        @Override public void onData(ByteBuf data) {
            if (inner != of) {
                data.release();
                return;
            }
            ConduitSink s = sink;
            if (s == null) data.release(); // cannot happen: reads are enabled only once a sink is set
            else s.onData(data);
        }

        @Override public void onInputShutdown() {
            ConduitSink s = sink;
            if (s != null && inner == of) s.onInputShutdown();
        }

        @Override public void onClosed(Throwable cause) {
            synchronized (EarlyConduit.this) {
                // An unconfirmed stream's end is the open's failure, handled there.
                if (state != State.CONFIRMED || inner != of) return;
            }
            closeSink(cause);
        }

        @Override public void onWritabilityChanged(boolean writable) {
            if (inner != of) return;
            ConduitSink s = sink;
            if (s != null) s.onWritabilityChanged(isWritable());
        }
    }
}
