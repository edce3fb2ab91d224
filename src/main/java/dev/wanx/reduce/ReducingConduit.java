package dev.wanx.reduce;

import dev.wanx.relay.Conduit;
import dev.wanx.relay.ConduitSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;

/**
 * Data reduction as a {@link Conduit} decorator: the app side sees plain bytes, the wrapped tunnel stream carries
 * reduce records (both ends must wrap). All state lives on the inner conduit's executor.
 *
 * <p>End of stream: the app's half-close becomes an in-band END record, not a tunnel FIN, because MISS/CHUNK/ACK
 * for both directions still need the tunnel both ways. The tunnel output is shut only when (1) our END is sent and
 * the peer acknowledged it (END_ACK: it resolved everything we referenced) and (2) the peer's END was delivered to
 * our app and we sent END_ACK. The peer does the same, so each tunnel FIN means "nothing more, in either role".
 * A tunnel FIN or clean close before that is a protocol error and aborts.
 */
public final class ReducingConduit implements Conduit {
    private final Conduit inner;
    private final EventExecutor executor;
    private final StreamEncoder encoder;
    private final StreamDecoder decoder;
    private final StreamStats stats;
    private final ReductionService service;
    private final long encodeHighWater;
    private volatile ConduitSink sink;
    // Writability counts bytes handed to write() but not yet taken by the loop (the caller may be another thread)
    // plus the encoder's backlog; sawUnwritable records that a caller saw "full", so the loop owes it an event.
    private final java.util.concurrent.atomic.AtomicLong pendingWrites = new java.util.concurrent.atomic.AtomicLong();
    private volatile long backlog;
    private volatile boolean sawUnwritable;
    private boolean innerShut;
    private boolean closed;

    ReducingConduit(Conduit inner, ReductionService service, long peer, ReduceConfig cfg, StreamStats totals) {
        this.inner = inner;
        this.service = service;
        this.executor = inner.executor();
        this.stats = new StreamStats();
        this.encodeHighWater = cfg.encodeHighWater();
        ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        this.encoder = new StreamEncoder(cfg, service.store(), peer, executor, alloc, inner::write, inner::isWritable, stats, totals,
                this::progress, e -> {
                    fail(e);
                    signalClosed(e);
                });
        this.decoder = new StreamDecoder(cfg, service.store(), peer, executor, alloc, encoder, stats, totals,
                new StreamDecoder.Events() {
                    @Override public void deliver(ByteBuf data) {
                        ConduitSink s = sink;
                        if (s != null) s.onData(data); else data.release();
                    }

                    @Override public void endOfInput() {
                        ConduitSink s = sink;
                        if (s != null) s.onInputShutdown();
                        progress();
                    }

                    @Override public void readWanted(boolean wanted) {
                        inner.setReadEnabled(wanted);
                    }
                });
        inner.write(ReduceWire.hello(alloc));
    }

    public StreamStats stats() {
        return stats;
    }

    private void onLoop(Runnable r) {
        if (executor.inEventLoop()) r.run(); else executor.execute(r);
    }

    @Override public void write(ByteBuf data) {
        int n = data.readableBytes();
        pendingWrites.addAndGet(n);
        if (!isWritable()) sawUnwritable = true; // before the task is queued, so the loop cannot miss it
        onLoop(() -> {
            if (closed) {
                pendingWrites.addAndGet(-n);
                data.release();
                return;
            }
            try {
                encoder.write(data);
                backlog = encoder.backlog();
                pendingWrites.addAndGet(-n);
                progress();
            } catch (RuntimeException e) {
                fail(e);
            }
        });
    }

    @Override public void shutdownOutput() {
        onLoop(() -> {
            if (!closed) encoder.finish();
        });
    }

    @Override public void abort(Throwable cause) {
        onLoop(() -> fail(cause));
    }

    @Override public boolean isWritable() {
        return pendingWrites.get() + backlog < encodeHighWater && inner.isWritable();
    }

    @Override public void setReadEnabled(boolean enabled) {
        onLoop(() -> {
            try {
                decoder.setAppReadEnabled(enabled);
            } catch (RuntimeException e) {
                fail(e);
            }
        });
    }

    @Override public void setSink(ConduitSink sink) {
        this.sink = sink;
        inner.setSink(new InnerSink());
    }

    @Override public EventExecutor executor() {
        return executor;
    }

    @Override public String describe() {
        return "reduce(" + inner.describe() + ")";
    }

    /** After any progress: writability towards the app, and the both-sides-done tunnel FIN. */
    private void progress() {
        backlog = encoder.backlog();
        if (sawUnwritable && isWritable()) {
            sawUnwritable = false;
            ConduitSink s = sink;
            if (s != null) s.onWritabilityChanged(true);
        }
        if (!innerShut && !closed && encoder.endSent() && encoder.endAcked() && decoder.endDelivered()) {
            innerShut = true;
            inner.shutdownOutput();
        }
    }

    private void fail(Throwable cause) {
        if (closed) return;
        closed = true;
        inner.abort(cause);
        cleanup();
    }

    private void cleanup() {
        encoder.close();
        decoder.close();
        stats.addTo(service.closedTotals());
        service.streamClosed(this);
    }

    private boolean closeSignalled;

    private void signalClosed(Throwable cause) {
        ConduitSink s = sink;
        if (s == null || closeSignalled) return;
        closeSignalled = true;
        s.onClosed(cause);
    }

    private final class InnerSink implements ConduitSink {
        @Override public void onData(ByteBuf data) {
            if (closed) {
                data.release();
                return;
            }
            try {
                decoder.onWire(data);
                progress();
            } catch (RuntimeException e) {
                fail(e);
                signalClosed(e);
            }
        }

        @Override public void onInputShutdown() {
            if (!decoder.endSeen() && !closed) {
                Throwable e = new ReduceWire.ProtocolException("tunnel ended before the reduce END record");
                fail(e);
                signalClosed(e);
            }
        }

        @Override public void onClosed(Throwable cause) {
            boolean wasClosed = closed;
            if (cause == null && !(decoder.endDelivered() && encoder.endAcked())) {
                cause = new ReduceWire.ProtocolException("tunnel closed before both reduce directions ended");
            }
            if (!wasClosed) {
                closed = true;
                cleanup();
            }
            signalClosed(cause);
        }

        @Override public void onWritabilityChanged(boolean w) {
            boolean now = isWritable();
            if (now) sawUnwritable = false;
            ConduitSink s = sink;
            if (s != null) s.onWritabilityChanged(now);
        }
    }
}
