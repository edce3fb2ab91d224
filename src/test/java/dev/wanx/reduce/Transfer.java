package dev.wanx.reduce;

import dev.wanx.relay.ConduitSink;
import dev.wanx.transport.Hint;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Test/benchmark harness: one stream between a near and a far {@link ReductionService} over a {@link MemoryConduit}
 * pair. The near app writes {@code payload} and half-closes; the far app echoes nothing and half-closes once it
 * has read everything. Returns what the far app received and both ends' stream stats.
 */
final class Transfer {
    static final EventExecutor NEAR_LOOP = new DefaultEventExecutor();
    static final EventExecutor FAR_LOOP = new DefaultEventExecutor();

    static final boolean DEBUG = Boolean.getBoolean("transfer.debug");
    static long T0;

    /** What the far app received (written by its loop, read after the transfer ended). */
    private static final class Sink {
        private byte[] buf;
        private int len;

        Sink(int expected) {
            buf = new byte[expected];
        }

        synchronized void take(ByteBuf data) {
            int n = data.readableBytes();
            if (len + n > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(len + n, buf.length * 2));
            data.readBytes(buf, len, n);
            len += n;
            data.release();
        }

        synchronized byte[] bytes() {
            return len == buf.length ? buf : java.util.Arrays.copyOf(buf, len);
        }
    }

    record Result(byte[] received, StreamStats near, StreamStats far, long tunnelBytesNearToFar, Throwable error) { }

    /** Reduction off: the same pipe and app loop without the codec, for speed comparisons. Returns nanos. */
    static long runRaw(byte[] payload) throws Exception {
        MemoryConduit[] pair = MemoryConduit.pair(NEAR_LOOP, FAR_LOOP);
        long t0 = System.nanoTime();
        CompletableFuture<Long> got = new CompletableFuture<>();
        long[] n = {0};
        pair[1].setSink(new ConduitSink() {
            @Override public void onData(ByteBuf data) {
                n[0] += data.readableBytes();
                byte[] b = new byte[data.readableBytes()];
                data.readBytes(b); // same copy-out cost as the reduced run's app sink
                data.release();
            }

            @Override public void onInputShutdown() { pair[1].shutdownOutput(); got.complete(n[0]); }

            @Override public void onClosed(Throwable cause) { }

            @Override public void onWritabilityChanged(boolean writable) { }
        });
        Object lock = new Object();
        pair[0].setSink(new ConduitSink() {
            @Override public void onData(ByteBuf data) { data.release(); }

            @Override public void onInputShutdown() { }

            @Override public void onClosed(Throwable cause) { }

            @Override public void onWritabilityChanged(boolean writable) {
                synchronized (lock) { lock.notifyAll(); }
            }
        });
        int off = 0;
        while (off < payload.length) {
            if (!pair[0].isWritable()) {
                synchronized (lock) { if (!pair[0].isWritable()) lock.wait(10); }
                continue;
            }
            int len = Math.min(64 * 1024, payload.length - off);
            pair[0].write(io.netty.buffer.Unpooled.wrappedBuffer(payload, off, len));
            off += len;
        }
        pair[0].shutdownOutput();
        if (got.get(120, TimeUnit.SECONDS) != payload.length) throw new IllegalStateException("short");
        return System.nanoTime() - t0;
    }

    static Result run(ReductionService near, String nearPeerName, ReductionService far, String farPeerName,
                      byte[] payload) throws Exception {
        return run(near, nearPeerName, far, farPeerName, payload, 64 * 1024, 0);
    }

    /** As above, writing {@code writeSize} pieces with {@code pauseMillis} between them (a slow producer). */
    static Result run(ReductionService near, String nearPeerName, ReductionService far, String farPeerName,
                      byte[] payload, int writeSize, long pauseMillis) throws Exception {
        MemoryConduit[] pair = MemoryConduit.pair(NEAR_LOOP, FAR_LOOP);
        ReducingConduit n = near.wrap(pair[0], nearPeerName, Hint.RAW);
        ReducingConduit f = far.wrap(pair[1], farPeerName, Hint.RAW);
        // Sized for the payload and filled in place: the same one copy per byte as runRaw's sink, so the speed
        // comparison measures the codec (a growing ByteArrayOutputStream cost more than the codec itself).
        Sink got = new Sink(payload.length);
        CompletableFuture<Throwable> farClosed = new CompletableFuture<>();
        CompletableFuture<Throwable> nearClosed = new CompletableFuture<>();
        f.setSink(new ConduitSink() {
            @Override public void onData(ByteBuf data) {
                got.take(data);
            }

            @Override public void onInputShutdown() {
                if (DEBUG) System.err.printf("far input end at %d ms%n", (System.nanoTime() - T0) / 1_000_000);
                f.shutdownOutput();
            }

            @Override public void onClosed(Throwable cause) { farClosed.complete(cause); }

            @Override public void onWritabilityChanged(boolean writable) { }
        });
        Object lock = new Object();
        n.setSink(new ConduitSink() {
            @Override public void onData(ByteBuf data) { data.release(); }

            @Override public void onInputShutdown() { }

            @Override public void onClosed(Throwable cause) { nearClosed.complete(cause); }

            @Override public void onWritabilityChanged(boolean writable) {
                synchronized (lock) { lock.notifyAll(); }
            }
        });
        T0 = System.nanoTime();
        int off = 0;
        while (off < payload.length) {
            if (!n.isWritable()) {
                // Check under the lock the notifier takes, so a wake-up cannot slip between check and wait.
                synchronized (lock) { if (!n.isWritable()) lock.wait(10); }
                if (nearClosed.isDone()) break;
                continue;
            }
            int len = Math.min(writeSize, payload.length - off);
            n.write(io.netty.buffer.Unpooled.wrappedBuffer(payload, off, len));
            off += len;
            if (pauseMillis > 0) Thread.sleep(pauseMillis);
        }
        if (DEBUG) System.err.printf("writes done at %d ms%n", (System.nanoTime() - T0) / 1_000_000);
        n.shutdownOutput();
        Throwable e1 = farClosed.get(120, TimeUnit.SECONDS);
        if (DEBUG) System.err.printf("far closed at %d ms%n", (System.nanoTime() - T0) / 1_000_000);
        Throwable e2 = nearClosed.get(120, TimeUnit.SECONDS);
        if (DEBUG) System.err.printf("near closed at %d ms%n", (System.nanoTime() - T0) / 1_000_000);
        return new Result(got.bytes(), n.stats(), f.stats(), pair[0].written.get(), e1 != null ? e1 : e2);
    }
}
