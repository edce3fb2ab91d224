package dev.wanx.reduce;

import dev.wanx.relay.Conduit;
import dev.wanx.relay.ConduitSink;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test fake: one end of an in-memory duplex pipe with a bounded in-flight window per direction, half-close and
 * abort, honouring {@link Conduit}'s threading (sink calls on this end's executor). Counts bytes written.
 */
final class MemoryConduit implements Conduit {
    private static final long HIGH = 1 << 20, LOW = 256 << 10;

    private final EventExecutor executor;
    private final String name;
    private MemoryConduit peer;
    private final ArrayDeque<Object> inbox = new ArrayDeque<>(); // ByteBuf, FIN marker, or Throwable
    private final AtomicLong inFlight = new AtomicLong();        // bytes written by the peer not yet delivered here
    final AtomicLong written = new AtomicLong();
    volatile java.util.function.Consumer<ByteBuf> tap = b -> { }; // sees each written buffer (tests' checks)
    private volatile ConduitSink sink;
    private volatile boolean readEnabled = true;
    private volatile boolean outShut;
    private boolean inShut;
    private boolean closed;
    private static final Object FIN = new Object();

    private MemoryConduit(EventExecutor executor, String name) {
        this.executor = executor;
        this.name = name;
    }

    static MemoryConduit[] pair(EventExecutor a, EventExecutor b) {
        MemoryConduit x = new MemoryConduit(a, "memA"), y = new MemoryConduit(b, "memB");
        x.peer = y;
        y.peer = x;
        return new MemoryConduit[] {x, y};
    }

    @Override public void write(ByteBuf data) {
        if (outShut) {
            data.release();
            return;
        }
        tap.accept(data);
        written.addAndGet(data.readableBytes());
        int n = data.readableBytes();
        long after = peer.inFlight.addAndGet(n);
        // Edge-triggered from the atomic counter itself, so no crossing is missed; isWritable() reads it live.
        if (after - n <= HIGH && after > HIGH) notifyWritable(false);
        peer.enqueue(data);
    }

    private void enqueue(Object o) {
        executor.execute(() -> {
            if (closed) {
                if (o instanceof ByteBuf b) b.release();
                return;
            }
            inbox.add(o);
            pump();
        });
    }

    private void pump() {
        ConduitSink s = sink;
        while (s != null && !closed && readEnabled && !inbox.isEmpty()) {
            Object o = inbox.poll();
            if (o instanceof ByteBuf b) {
                int n = b.readableBytes();
                long left = inFlight.addAndGet(-n);
                if (left + n >= LOW && left < LOW) peer.notifyWritable(true);
                s.onData(b);
            } else if (o == FIN) {
                inShut = true;
                s.onInputShutdown();
                maybeClose();
            } else if (o instanceof Throwable t) {
                closeWith(t);
            }
        }
    }

    private void notifyWritable(boolean w) {
        executor.execute(() -> {
            ConduitSink s = sink;
            if (s != null) s.onWritabilityChanged(w);
        });
    }

    private void maybeClose() {
        if (inShut && outShut) closeWith(null);
    }

    private void closeWith(Throwable t) {
        if (closed) return;
        closed = true;
        while (!inbox.isEmpty()) if (inbox.poll() instanceof ByteBuf b) b.release();
        ConduitSink s = sink;
        if (s != null) s.onClosed(t);
    }

    @Override public void shutdownOutput() {
        if (outShut) return;
        outShut = true;
        peer.enqueue(FIN);
        executor.execute(this::maybeClose);
    }

    @Override public void abort(Throwable cause) {
        peer.enqueue(new java.io.IOException("peer aborted: " + cause));
        executor.execute(() -> closeWith(cause));
    }

    @Override public boolean isWritable() {
        return peer.inFlight.get() <= HIGH;
    }

    @Override public void setReadEnabled(boolean enabled) {
        readEnabled = enabled;
        executor.execute(this::pump);
    }

    @Override public void setSink(ConduitSink sink) {
        this.sink = sink;
        executor.execute(this::pump);
    }

    @Override public EventExecutor executor() {
        return executor;
    }

    @Override public String describe() {
        return name;
    }
}
