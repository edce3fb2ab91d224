package dev.wanx.near.status;

import dev.wanx.reduce.StreamStats;
import dev.wanx.relay.Conduit;
import dev.wanx.relay.ConduitSink;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The near's tunneled streams that are open now, for `wanx status`: each is registered as it opens and leaves
 * when its conduit closes. Bounded: beyond {@link #MAX} streams are counted but not listed.
 */
public final class StreamRegistry {
    static final int MAX = 4096;

    /**
     * @param stats the data-reduction counters and reason code, or null for a stream carried as it is
     */
    public record Entry(long id, String destination, long startedMillis, StreamStats stats) { }

    private final Map<Long, Entry> open = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong unlisted = new AtomicLong();

    /** Registers a stream and returns the conduit to hand on: the same bytes, de-registered when it closes. */
    public Conduit track(Conduit c, String destination, StreamStats stats) {
        if (open.size() >= MAX) {
            unlisted.incrementAndGet();
            return new Tracked(c, this, -1);
        }
        long id = ids.incrementAndGet();
        open.put(id, new Entry(id, destination, System.currentTimeMillis(), stats));
        return new Tracked(c, this, id);
    }

    private void done(long id) {
        if (id < 0) unlisted.decrementAndGet();
        else open.remove(id);
    }

    /** Open streams, oldest first. */
    public List<Entry> open() {
        List<Entry> out = new ArrayList<>(open.values());
        out.sort(Comparator.comparingLong(Entry::id));
        return out;
    }

    /** Open streams beyond the listed ones. */
    public long unlisted() { return unlisted.get(); }

    /** Delegates everything; notices the close (sink's onClosed, or an abort) once. */
    private static final class Tracked implements Conduit {
        private final Conduit c;
        private final StreamRegistry registry;
        private final long id;
        private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

        Tracked(Conduit c, StreamRegistry registry, long id) {
            this.c = c;
            this.registry = registry;
            this.id = id;
        }

        private void closed() {
            if (closed.compareAndSet(false, true)) registry.done(id);
        }

        @Override public void write(ByteBuf data) { c.write(data); }
        @Override public void shutdownOutput() { c.shutdownOutput(); }
        @Override public void abort(Throwable cause) {
            closed();
            c.abort(cause);
        }
        @Override public boolean isWritable() { return c.isWritable(); }
        @Override public void setReadEnabled(boolean enabled) { c.setReadEnabled(enabled); }
        @Override public EventExecutor executor() { return c.executor(); }
        @Override public String describe() { return c.describe(); }
        @Override public void setSink(ConduitSink sink) {
            c.setSink(new ConduitSink() {
                @Override public void onData(ByteBuf data) { sink.onData(data); }
                @Override public void onInputShutdown() { sink.onInputShutdown(); }
                @Override public void onClosed(Throwable cause) {
                    closed();
                    sink.onClosed(cause);
                }
                @Override public void onWritabilityChanged(boolean writable) { sink.onWritabilityChanged(writable); }
            });
        }
    }
}
