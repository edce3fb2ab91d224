package dev.wanx.reduce;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.relay.Conduit;
import dev.wanx.relay.ConduitSink;
import dev.wanx.relay.Relay;
import dev.wanx.transport.Hint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment shape: client app =pipe= Relay(near) =ReducingConduit= tunnel =ReducingConduit= Relay(far) =pipe=
 * origin. Request, half-close, response, half-close, clean close on both app ends; twice, the second warm.
 */
class RelayEndToEndTest {
    @TempDir Path tmp;

    /** A test-driven app end: collects what arrives, writes on request, completes futures on FIN and close. */
    static final class App implements ConduitSink {
        final Conduit c;
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final CompletableFuture<byte[]> fin = new CompletableFuture<>();
        final CompletableFuture<Throwable> closed = new CompletableFuture<>();
        final Object lock = new Object();
        volatile Runnable onFin = () -> { };

        App(Conduit c) {
            this.c = c;
            c.setSink(this);
        }

        @Override public void onData(ByteBuf d) {
            byte[] x = new byte[d.readableBytes()];
            d.readBytes(x);
            d.release();
            synchronized (got) { got.writeBytes(x); }
        }

        @Override public void onInputShutdown() {
            synchronized (got) { fin.complete(got.toByteArray()); }
            onFin.run();
        }

        @Override public void onClosed(Throwable cause) { closed.complete(cause); }

        @Override public void onWritabilityChanged(boolean w) {
            synchronized (lock) { lock.notifyAll(); }
        }

        void send(byte[] data) throws InterruptedException {
            int off = 0;
            while (off < data.length) {
                synchronized (lock) { if (!c.isWritable()) lock.wait(10); }
                if (!c.isWritable()) continue;
                int n = Math.min(32 * 1024, data.length - off);
                c.write(Unpooled.wrappedBuffer(data, off, n));
                off += n;
            }
            c.shutdownOutput();
        }
    }

    long[] exchange(ReductionService near, ReductionService far, byte[] request, byte[] response) throws Exception {
        MemoryConduit[] client = MemoryConduit.pair(Transfer.NEAR_LOOP, Transfer.NEAR_LOOP);
        MemoryConduit[] tunnel = MemoryConduit.pair(Transfer.NEAR_LOOP, Transfer.FAR_LOOP);
        MemoryConduit[] origin = MemoryConduit.pair(Transfer.FAR_LOOP, Transfer.FAR_LOOP);
        ReducingConduit nearSide = near.wrap(tunnel[0], "far", Hint.RAW);
        ReducingConduit farSide = far.wrap(tunnel[1], "near-1", Hint.RAW);
        Relay.join(client[1], nearSide);
        Relay.join(farSide, origin[0]);
        App app = new App(client[0]);
        App server = new App(origin[1]);
        server.onFin = () -> new Thread(() -> {
            try {
                server.send(response);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).start();
        app.send(request);
        assertArrayEquals(request, server.fin.get(60, TimeUnit.SECONDS));
        assertArrayEquals(response, app.fin.get(60, TimeUnit.SECONDS));
        assertNull(app.closed.get(60, TimeUnit.SECONDS), "client end closed cleanly");
        assertNull(server.closed.get(60, TimeUnit.SECONDS), "origin end closed cleanly");
        return new long[] {tunnel[0].written.get(), tunnel[1].written.get()};
    }

    @Test void requestResponseThroughRelaysColdThenWarm() throws Exception {
        ReduceConfig cfg = ReduceConfig.defaults().withClock(() -> 0L);
        try (ReductionService near = new ReductionService(ChunkStore.open(tmp.resolve("n"), 64L << 20), cfg);
             ReductionService far = new ReductionService(ChunkStore.open(tmp.resolve("f"), 64L << 20), cfg)) {
            byte[] req = ReducingConduitTest.text(300_000, 1);
            byte[] resp = ReducingConduitTest.archive(3 << 20, 2);
            long[] cold = exchange(near, far, req, resp);
            long[] warm = exchange(near, far, req, resp);
            assertTrue(cold[1] > resp.length, "cold response crosses in full: " + cold[1]);
            assertTrue(warm[1] < resp.length / 50, "warm response is references: " + warm[1]);
            assertTrue(warm[0] < req.length / 20, "warm request too: " + warm[0]);
            assertTrue(near.totals().warmBytes.get() > 0 && far.totals().warmBytes.get() > 0);
        }
    }
}
