package dev.wanx.transport.session;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.relay.ConduitSink;
import dev.wanx.transport.DialError;
import dev.wanx.transport.DialException;
import dev.wanx.transport.Hint;
import dev.wanx.transport.IncomingStream;
import dev.wanx.transport.StreamOpen;
import dev.wanx.transport.TunnelStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MuxSessionTest {
    private final EventLoop nearLoop = new DefaultEventLoop();
    private final EventLoop farLoop = new DefaultEventLoop();
    private MemoryLink[] links;
    private MuxSession near;
    private MuxSession far;

    private void connect(int maxFrame, Long shuffleSeed, Consumer<IncomingStream> acceptor) {
        connect(maxFrame, shuffleSeed, acceptor, MuxOptions.defaults(), Frame.FEATURES_READ);
    }

    private void connect(int maxFrame, Long shuffleSeed, Consumer<IncomingStream> acceptor, int farFeatures) {
        connect(maxFrame, shuffleSeed, acceptor, MuxOptions.defaults(), farFeatures);
    }

    private void connect(int maxFrame, Long shuffleSeed, Consumer<IncomingStream> acceptor, MuxOptions options) {
        connect(maxFrame, shuffleSeed, acceptor, options, Frame.FEATURES_READ);
    }

    private void connect(int maxFrame, Long shuffleSeed, Consumer<IncomingStream> acceptor, MuxOptions options, int farFeatures) {
        links = MemoryLink.pair(nearLoop, farLoop, maxFrame, shuffleSeed);
        near = new MuxSession(links[0], true, options);
        far = new MuxSession(links[1], false, options, System::nanoTime, farFeatures);
        far.setAcceptor(acceptor);
    }

    @AfterEach void tearDown() throws Exception { closeAll(near, far, nearLoop, farLoop); }

    /** Every session test's end: closes the pair (if a test made one) and stops both loops. */
    static void closeAll(MuxSession near, MuxSession far, EventLoop nearLoop, EventLoop farLoop) throws Exception {
        if (near != null) {
            near.close("test over");
            near.closeFuture().get(5, TimeUnit.SECONDS);
            far.closeFuture().get(5, TimeUnit.SECONDS);
        }
        nearLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        farLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** Far side: echoes every byte back and half-closes after the near does. */
    static final Consumer<IncomingStream> ECHO = in -> {
        TunnelStream s = in.accept();
        s.setSink(new ConduitSink() {
            @Override public void onData(ByteBuf data) { s.write(data); }
            @Override public void onInputShutdown() { s.shutdownOutput(); }
            @Override public void onClosed(Throwable cause) { }
            @Override public void onWritabilityChanged(boolean writable) { }
        });
    };

    /** Collects a stream's bytes into a digest; completes on input shutdown. */
    static final class Collector implements ConduitSink {
        final MessageDigest sha;
        long bytes;
        final CompletableFuture<byte[]> done = new CompletableFuture<>();
        final CompletableFuture<Throwable> closed = new CompletableFuture<>();

        Collector() throws Exception { sha = MessageDigest.getInstance("SHA-256"); }

        @Override public void onData(ByteBuf data) {
            bytes += data.readableBytes();
            byte[] b = new byte[data.readableBytes()];
            data.readBytes(b);
            data.release();
            sha.update(b);
        }
        @Override public void onInputShutdown() { done.complete(sha.digest()); }
        @Override public void onClosed(Throwable cause) { closed.complete(cause); }
        @Override public void onWritabilityChanged(boolean writable) { }
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] sha(byte[]... parts) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        for (byte[] p : parts) d.update(p);
        return d.digest();
    }

    private void echoRoundTrip(int streams, int size) throws Exception {
        List<Collector> cs = new ArrayList<>();
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            byte[] first = ("hello " + i).getBytes();
            byte[] body = random(size, i);
            TunnelStream s = near.openStream(new StreamOpen("origin.example", 80, Hint.RAW), Unpooled.wrappedBuffer(first))
                    .get(10, TimeUnit.SECONDS);
            Collector c = new Collector();
            s.setSink(c);
            for (int off = 0; off < body.length; off += 64 << 10) {
                s.write(Unpooled.wrappedBuffer(body, off, Math.min(64 << 10, body.length - off)));
            }
            s.shutdownOutput();
            cs.add(c);
            payloads.add(sha(first, body));
        }
        for (int i = 0; i < streams; i++) {
            assertArrayEquals(payloads.get(i), cs.get(i).done.get(30, TimeUnit.SECONDS), "stream " + i + " content");
            assertNull(cs.get(i).closed.get(10, TimeUnit.SECONDS), "stream " + i + " closes cleanly");
        }
    }

    @Test void echoesBytesInOrderWithFirstDataAndHalfClose() throws Exception {
        connect(16 << 10, null, ECHO);
        echoRoundTrip(1, 5 << 20);
        assertEquals(0, near.stats().streamsOpen());
    }

    @Test void theSmallestSessionBudgetStillCarriesBulk() throws Exception {
        // --session-budget 1M: the largest window drops to the initial one, and credit comes back as it is read
        connect(16 << 10, null, ECHO, MuxOptions.defaults().withSessionBudget(MuxOptions.INITIAL_WINDOW));
        echoRoundTrip(1, 5 << 20);
        assertEquals(0, near.stats().streamsOpen());
    }

    @Test void reassemblesWhenFramesArriveOutOfOrder() throws Exception {
        connect(1200, 42L, ECHO);
        echoRoundTrip(16, 256 << 10);
    }

    @Test void rejectCarriesTheDialError() throws Exception {
        connect(1200, null, in -> in.reject(DialError.REFUSED, "connection refused by x:1"));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> near.openStream(new StreamOpen("x", 1, Hint.RAW), null).get(5, TimeUnit.SECONDS));
        DialException d = assertInstanceOf(DialException.class, e.getCause());
        assertEquals(DialError.REFUSED, d.error());
        assertTrue(d.getMessage().contains("refused"));
    }

    @Test void slowReaderIsBoundedByCreditAndDoesNotStallOtherStreams() throws Exception {
        CompletableFuture<TunnelStream> farSide = new CompletableFuture<>();
        connect(16 << 10, null, in -> {
            if (in.open().port() == 1) {
                farSide.complete(in.accept());
            } else {
                ECHO.accept(in);
            }
        });
        TunnelStream slow = near.openStream(new StreamOpen("a", 1, Hint.RAW), null).get(5, TimeUnit.SECONDS);
        Collector slowC = new Collector();
        slow.setReadEnabled(false);
        slow.setSink(slowC);
        TunnelStream f = farSide.get(5, TimeUnit.SECONDS);
        byte[] big = random(8 << 20, 7);
        f.write(Unpooled.wrappedBuffer(big));
        f.shutdownOutput();
        // The far may send only the initial window while the near reads nothing.
        waitUntil(() -> far.stats().bytesSent() >= MuxOptions.INITIAL_WINDOW);
        Thread.sleep(200); // give a (buggy) sender the chance to overrun its credit
        assertEquals(MuxOptions.INITIAL_WINDOW, far.stats().bytesSent(), "sender stops at the credit limit");
        assertFalse(f.isWritable(), "a sender with 7 MiB queued reports backpressure");
        assertEquals(0, slowC.bytes);

        // Another stream still flows while the first is stalled.
        echoRoundTrip(1, 1 << 20);

        slow.setReadEnabled(true);
        assertArrayEquals(sha(big), slowC.done.get(30, TimeUnit.SECONDS));
    }

    @Test void aNewStreamStartsWithTheWindowEarlierStreamsGrewTo() throws Exception {
        CompletableFuture<TunnelStream> farSide = new CompletableFuture<>();
        connect(16 << 10, null, in -> {
            if (in.open().port() == 1) {
                TunnelStream s = in.accept();
                s.setReadEnabled(false); // the far's app reads nothing: what the near may send is its credit
                farSide.complete(s);
            } else {
                ECHO.accept(in);
            }
        });
        echoRoundTrip(1, 8 << 20); // both ends' windows grow on this stream
        long start = MuxOptions.defaults().maxWindow() / 4;

        // A stream the near opens: the near grants its receive window at once (far -> near).
        TunnelStream down = near.openStream(new StreamOpen("a", 2, Hint.RAW), null).get(5, TimeUnit.SECONDS);
        down.setReadEnabled(false);
        down.setSink(new Collector());
        // (the far's acceptor echoes port 2: give it bytes to echo through the near's unread window)
        assertSendsItsStartCreditOnly(far, down, 3, start, "far -> near");

        // A stream the far accepts: the far grants its receive window at accept (near -> far).
        TunnelStream up = near.openStream(new StreamOpen("a", 1, Hint.RAW), null).get(5, TimeUnit.SECONDS);
        farSide.get(5, TimeUnit.SECONDS);
        assertSendsItsStartCreditOnly(near, up, 4, start, "near -> far");
    }

    /** 8 MiB written on {@code into} against an unread receiver: {@code sender} sends the new stream's start credit, no more. */
    private static void assertSendsItsStartCreditOnly(MuxSession sender, TunnelStream into, long seed, long start, String way)
            throws Exception {
        long before = sender.stats().bytesSent();
        into.write(Unpooled.wrappedBuffer(random(8 << 20, seed)));
        waitUntil(() -> sender.stats().bytesSent() - before >= start);
        Thread.sleep(200); // give a (buggy) sender the chance to overrun its credit
        long sent = sender.stats().bytesSent() - before;
        assertTrue(sent >= start && sent < 2 * start, way + " credit of a new stream: " + sent);
    }

    @Test void aStreamTheFarHasNoRoomForFailsAsTunnelDownSoTheNearGoesDirect() throws Exception {
        List<TunnelStream> held = new ArrayList<>();
        // A far from before session credit (MuxSessionCreditTest: a current one takes them all). Accepted, never read:
        // each keeps its initial window.
        connect(16 << 10, null, in -> held.add(in.accept()), Frame.FEATURE_DATA_V);
        int n = 140; // initial windows alone pass twice the 64 MiB budget after 128 streams
        int refused = openAndCountRefused(near, n);
        assertTrue(refused > 0, "the far refused none of " + n + " streams");
        assertTrue(near.isActive(), "a refused stream does not end the session");
    }

    /**
     * Opens {@code n} streams from {@code near}; returns how many its far refused. Each refusal must say the tunnel is
     * down, not give the destination's answer: the near then sends the connection direct instead of resetting the app.
     */
    static int openAndCountRefused(MuxSession near, int n) throws Exception {
        List<TunnelStream> opened = new ArrayList<>();
        for (int i = 0; i < n; i++) opened.add(near.openNow(new StreamOpen("origin", 80, Hint.RAW), 0));
        int refused = 0;
        for (TunnelStream s : opened) {
            try {
                s.opened().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                refused++;
                DialException d = assertInstanceOf(DialException.class, e.getCause());
                assertEquals(DialError.TUNNEL_DOWN, d.error(), d.getMessage());
            }
        }
        return refused;
    }

    @Test void sessionLossFailsPendingOpensAndStreams() throws Exception {
        CompletableFuture<IncomingStream> held = new CompletableFuture<>();
        connect(1200, null, held::complete); // never answers
        CompletableFuture<TunnelStream> pending = near.openStream(new StreamOpen("a", 1, Hint.RAW), null);
        held.get(5, TimeUnit.SECONDS);
        far.close("far going away");
        ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(5, TimeUnit.SECONDS));
        assertEquals(DialError.TUNNEL_DOWN, ((DialException) e.getCause()).error());
        near.closeFuture().get(5, TimeUnit.SECONDS);
        assertFalse(near.isActive());
        ExecutionException after = assertThrows(ExecutionException.class,
                () -> near.openStream(new StreamOpen("a", 1, Hint.RAW), null).get(5, TimeUnit.SECONDS));
        assertEquals(DialError.TUNNEL_DOWN, ((DialException) after.getCause()).error());
    }

    @Test void malformedFrameClosesTheSession() throws Exception {
        connect(1200, null, ECHO);
        farLoop.execute(() -> {
            links[1].send(Unpooled.wrappedBuffer(new byte[] {Frame.CREDIT, 1, 2})); // a known type, too short
            links[1].flush();
        });
        assertNotNull(near.closeFuture().get(5, TimeUnit.SECONDS));
    }

    @Test void abortResetsThePeerStream() throws Exception {
        CompletableFuture<Collector> farCollector = new CompletableFuture<>();
        connect(1200, null, in -> {
            try {
                Collector c = new Collector();
                in.accept().setSink(c);
                farCollector.complete(c);
            } catch (Exception e) {
                farCollector.completeExceptionally(e);
            }
        });
        TunnelStream s = near.openStream(new StreamOpen("a", 1, Hint.RAW), Unpooled.wrappedBuffer(new byte[10])).get(5, TimeUnit.SECONDS);
        s.setSink(new Collector());
        s.abort(new RuntimeException("client went away"));
        Throwable cause = farCollector.get(5, TimeUnit.SECONDS).closed.get(5, TimeUnit.SECONDS);
        assertNotNull(cause, "the far side sees an error, not a clean end");
    }

    static void waitUntil(java.util.function.BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) fail("condition not reached in 10 s");
            Thread.sleep(5);
        }
    }

    @Test void aFarThatFallsSilentEndsTheSessionWhenAStreamOpens() throws Exception {
        links = MemoryLink.pair(nearLoop, farLoop, 1400, null);
        near = new MuxSession(links[0], true, MuxOptions.defaults().withPeerSilenceMs(200));
        far = new MuxSession(links[1], false, MuxOptions.defaults());
        far.setAcceptor(ECHO);
        links[1].mute = true; // the far keeps running but nothing it sends arrives
        TunnelStream s = near.openNow(new StreamOpen("origin", 80, Hint.RAW), 0);
        ExecutionException e = assertThrows(ExecutionException.class, () -> s.opened().get(10, TimeUnit.SECONDS));
        DialException d = assertInstanceOf(DialException.class, e.getCause());
        assertEquals(DialError.TUNNEL_DOWN, d.error(), "the router turns this into a direct dial");
        assertTrue(d.getMessage().contains("silent"), d.getMessage());
        assertNotNull(near.closeFuture().get(5, TimeUnit.SECONDS));
        links[1].mute = false;
        far.close("test over");
        near = null; // both closed already
    }

    @Test void aSlowDialIsNotSilence() throws Exception {
        links = MemoryLink.pair(nearLoop, farLoop, 1400, null);
        near = new MuxSession(links[0], true, MuxOptions.defaults().withPeerSilenceMs(100));
        far = new MuxSession(links[1], false, MuxOptions.defaults());
        // The far answers the PING at once but takes 600 ms (six silence limits) to connect the destination.
        far.setAcceptor(in -> farLoop.schedule(() -> ECHO.accept(in), 600, TimeUnit.MILLISECONDS));
        TunnelStream s = near.openNow(new StreamOpen("origin", 80, Hint.RAW), 0);
        assertSame(s, s.opened().get(10, TimeUnit.SECONDS));
        assertTrue(near.isActive());
    }

    @Test void aFarWhoseAnswersAreOnlyQueuedIsNotSilent() throws Exception {
        links = MemoryLink.pair(nearLoop, farLoop, 1400, null);
        near = new MuxSession(links[0], true, MuxOptions.defaults().withPeerSilenceMs(100));
        far = new MuxSession(links[1], false, MuxOptions.defaults());
        far.setAcceptor(ECHO);
        links[1].mute = true; // no frame gets through (the PONG sits behind data) ...
        var acks = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            // ... but the carrier keeps hearing acks from the far
            acks.scheduleAtFixedRate(() -> links[0].carrierHeardNs = System.nanoTime(), 0, 20, TimeUnit.MILLISECONDS);
            TunnelStream s = near.openNow(new StreamOpen("origin", 80, Hint.RAW), 0);
            Thread.sleep(600); // six silence limits
            assertTrue(near.isActive(), "a busy far is not a dead far");
            assertFalse(s.opened().isDone());
            links[1].mute = false;
        } finally {
            acks.shutdownNow();
        }
    }
}
