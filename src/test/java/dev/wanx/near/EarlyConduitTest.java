package dev.wanx.near;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.relay.Conduit;
import dev.wanx.relay.ConduitSink;
import dev.wanx.transport.DialError;
import dev.wanx.transport.DialException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A tunnel stream written before the far confirmed it: copies kept for fail-forward, and dropped on confirmation. */
class EarlyConduitTest {
    private final FakeConduit tunnel = new FakeConduit();
    private final FakeConduit direct = new FakeConduit();
    private final CompletableFuture<Object> opened = new CompletableFuture<>();
    private final CompletableFuture<Conduit> dialed = new CompletableFuture<>();
    private int directDials;
    private final List<ByteBuf> sent = new ArrayList<>();
    private final Sink sink = new Sink();

    private static final class Sink implements ConduitSink {
        final StringBuilder got = new StringBuilder();
        Throwable closed;
        boolean closedCalled;
        final List<Boolean> writability = new ArrayList<>();

        @Override public void onData(ByteBuf data) {
            got.append(data.toString(StandardCharsets.ISO_8859_1));
            data.release();
        }
        @Override public void onInputShutdown() { }
        @Override public void onClosed(Throwable cause) {
            closedCalled = true;
            closed = cause;
        }
        @Override public void onWritabilityChanged(boolean writable) { writability.add(writable); }
    }

    /** A buffer the test checks is released (by the conduit, or by whoever it passed it to). */
    private ByteBuf buf(String s) {
        ByteBuf b = Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
        sent.add(b);
        return b;
    }

    private EarlyConduit early(String first, int limit) {
        ByteBuf f = first == null ? null : buf(first);
        if (f != null) tunnel.write(f.retainedDuplicate()); // as Router does: the tunnel gets the first bytes at once
        EarlyConduit c = new EarlyConduit(tunnel, opened, f, () -> {
            directDials++;
            return dialed;
        }, limit);
        c.setSink(sink);
        return c;
    }

    private void assertAllReleased() {
        for (ByteBuf b : sent) assertEquals(0, b.refCnt(), "every buffer released");
    }

    @Test void bytesGoToTheTunnelAtOnceAndTheCopiesGoOnConfirmation() {
        EarlyConduit c = early("GET ", 1 << 20);
        assertFalse(tunnel.readEnabled, "nothing from the far before it confirmed");
        c.write(buf("/ HTTP/1.1"));
        assertEquals("GET / HTTP/1.1", tunnel.written.toString(), "written before the far answered");
        assertEquals(14, c.copiedBytes());
        opened.complete(null);
        assertEquals(0, c.copiedBytes());
        assertTrue(tunnel.readEnabled);
        tunnel.receive("200");
        assertEquals("200", sink.got.toString());
        c.write(buf(" more"));
        assertEquals("GET / HTTP/1.1 more", tunnel.written.toString());
        assertEquals(0, directDials);
        assertAllReleased();
    }

    @Test void aTunnelThatGoesDownBeforeConfirmingIsReplacedByADirectConnectionWithEveryByte() {
        EarlyConduit c = early("PUT ", 1 << 20);
        c.write(buf("body-1 "));
        opened.completeExceptionally(new DialException(DialError.TUNNEL_DOWN, "far silent"));
        assertTrue(tunnel.aborted);
        assertEquals(1, directDials);
        c.write(buf("body-2 ")); // while the direct dial is under way
        c.shutdownOutput();
        assertFalse(direct.outputShut, "not before the replay");
        dialed.complete(direct);
        assertEquals("PUT body-1 body-2 ", direct.written.toString(), "replayed in order");
        assertTrue(direct.outputShut, "then the client's end of data");
        c.write(buf("late")); // cannot happen after a shutdown in a relay, but must not be lost or leak either
        assertEquals("PUT body-1 body-2 late", direct.written.toString());
        direct.receive("answer");
        assertEquals("answer", sink.got.toString());
        tunnel.sink.onClosed(new java.io.IOException("stream closed")); // the old tunnel's end, reported late
        tunnel.sink.onInputShutdown();
        assertFalse(sink.closedCalled, "not the client's end: the direct connection carries on");
        assertAllReleased();
    }

    @Test void aRefusalClosesWithTheFarsErrorAndFreesTheCopies() {
        EarlyConduit c = early("x", 1 << 20);
        c.write(buf("yz"));
        DialException refused = new DialException(DialError.REFUSED, "connection refused by o:1");
        opened.completeExceptionally(refused);
        assertSame(refused, sink.closed);
        assertEquals(0, directDials, "the far answered: no fail-forward");
        c.write(buf("dropped"));
        assertAllReleased();
    }

    @Test void aFailedDirectDialClosesTheConduit() {
        EarlyConduit c = early("a", 1 << 20);
        c.write(buf("b"));
        opened.completeExceptionally(new DialException(DialError.TUNNEL_DOWN, "session closed"));
        DialException unreachable = new DialException(DialError.UNREACHABLE, "no route");
        dialed.completeExceptionally(unreachable);
        assertSame(unreachable, sink.closed);
        assertAllReleased();
    }

    @Test void theCopiesAreBoundedAndTheRelayResumesOnConfirmation() {
        EarlyConduit c = early(null, 10);
        c.write(buf("12345"));
        assertTrue(c.isWritable());
        c.write(buf("678901"));
        assertFalse(c.isWritable(), "11 bytes kept, limit 10: the relay must stop reading the client");
        opened.complete(null);
        assertTrue(c.isWritable());
        assertEquals(List.of(true), sink.writability, "told, so a relay paused at the limit reads again");
        tunnel.writable = false;
        assertFalse(c.isWritable(), "confirmed: the tunnel's own backpressure");
        assertAllReleased();
    }

    @Test void anAbortBeforeConfirmationAbortsTheTunnelAndFreesTheCopies() {
        EarlyConduit c = early("abc", 1 << 20);
        c.abort(new java.io.IOException("client reset"));
        assertTrue(tunnel.aborted);
        opened.completeExceptionally(new DialException(DialError.TUNNEL_DOWN, "stream closed"));
        assertEquals(0, directDials, "the client is gone: nothing to fail forward");
        assertAllReleased();
    }

    /**
     * A stream as MuxStream is: read switches are applied on its loop in the order they reach it, at once when the
     * caller is on the loop. The loop here runs by hand: I/O (the confirmation) first, queued tasks after.
     */
    private static final class LoopStream implements Conduit {
        final java.util.ArrayDeque<Runnable> tasks = new java.util.ArrayDeque<>();
        boolean onLoop;
        boolean readEnabled = true;
        final io.netty.util.concurrent.EventExecutor loop = new io.netty.util.concurrent.AbstractEventExecutor() {
            @Override public boolean isShuttingDown() { return false; }
            @Override public io.netty.util.concurrent.Future<?> shutdownGracefully(long q, long t, java.util.concurrent.TimeUnit u) { throw new UnsupportedOperationException(); }
            @Override public io.netty.util.concurrent.Future<?> terminationFuture() { throw new UnsupportedOperationException(); }
            @Override public void shutdown() { }
            @Override public boolean isShutdown() { return false; }
            @Override public boolean isTerminated() { return false; }
            @Override public boolean awaitTermination(long t, java.util.concurrent.TimeUnit u) { return false; }
            @Override public boolean inEventLoop(Thread thread) { return onLoop; }
            @Override public void execute(Runnable r) { tasks.add(r); }
        };

        void onLoop(Runnable r) {
            if (onLoop) r.run(); else tasks.add(r);
        }

        void runTasks() {
            onLoop = true;
            while (!tasks.isEmpty()) tasks.poll().run();
            onLoop = false;
        }

        @Override public void write(ByteBuf data) { data.release(); }
        @Override public void shutdownOutput() { }
        @Override public void abort(Throwable cause) { }
        @Override public boolean isWritable() { return true; }
        @Override public void setReadEnabled(boolean enabled) { onLoop(() -> readEnabled = enabled); }
        @Override public void setSink(ConduitSink sink) { }
        @Override public io.netty.util.concurrent.EventExecutor executor() { return loop; }
        @Override public String describe() { return "loop stream"; }
    }

    @Test void aConfirmationOnTheStreamsLoopDoesNotOvertakeTheQueuedReadOff() {
        LoopStream stream = new LoopStream();
        EarlyConduit c = new EarlyConduit(stream, opened, null, () -> dialed, 1 << 20); // "off" queued: not on the loop
        c.setSink(sink);
        stream.onLoop = true;
        opened.complete(null); // OPEN_OK read by the loop's I/O before its queued tasks ran
        stream.onLoop = false;
        stream.runTasks();
        assertTrue(stream.readEnabled, "the stream reads once confirmed");
    }
}
