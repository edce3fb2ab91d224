package dev.wanx.transport.session;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.transport.Hint;
import dev.wanx.transport.StreamOpen;
import dev.wanx.transport.TunnelStream;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Credit before the reader has consumed anything. ALLOWANCE: a new stream may send its early credit before its first
 * CREDIT, and not a byte more. Bytes behind a hole: they do not use up the window.
 */
class MuxEarlyCreditTest {
    private static final long INITIAL = MuxOptions.INITIAL_WINDOW;
    private static final long EARLY = MuxOptions.defaults().earlyPerStream();
    private final EventLoop nearLoop = new DefaultEventLoop();
    private final EventLoop farLoop = new DefaultEventLoop();
    private final ByteBufAllocator alloc = UnpooledByteBufAllocator.DEFAULT;
    private MemoryLink[] links;
    private MuxSession near;
    private MuxSession far;
    private final CompletableFuture<MuxSessionTest.Collector> accepted = new CompletableFuture<>();

    /** The far accepts every stream and collects it; with {@code read} false its app reads nothing. */
    private void connect(int farFeatures, boolean read) {
        links = MemoryLink.pair(nearLoop, farLoop, 16 << 10, null);
        near = new MuxSession(links[0], true, MuxOptions.defaults());
        far = new MuxSession(links[1], false, MuxOptions.defaults(), System::nanoTime, farFeatures);
        far.setAcceptor(in -> {
            try {
                MuxSessionTest.Collector c = new MuxSessionTest.Collector();
                TunnelStream s = in.accept();
                s.setReadEnabled(read);
                s.setSink(c);
                accepted.complete(c);
            } catch (Exception e) {
                accepted.completeExceptionally(e);
            }
        });
    }

    @AfterEach void tearDown() throws Exception { MuxSessionTest.closeAll(near, far, nearLoop, farLoop); }

    /** Flushes both loops twice over: every frame sent so far has been handled. */
    private void settle() throws Exception {
        for (int i = 0; i < 2; i++) {
            nearLoop.submit(() -> { }).get(5, TimeUnit.SECONDS);
            farLoop.submit(() -> { }).get(5, TimeUnit.SECONDS);
        }
    }

    /** Stream 1's bytes from {@code from} to the end of {@code body}, as 8 KiB DATA frames (near's loop); FIN on the last if asked. */
    private void sendData(byte[] body, int from, boolean fin) {
        for (int off = from; off < body.length; off += 8192) {
            int n = Math.min(8192, body.length - off);
            links[0].send(Frame.dataHeader(alloc, 1, off, fin && off + n == body.length, n).writeBytes(body, off, n));
        }
    }

    /** The near writes 8 MiB into a new stream while nothing from the far reaches it: what it sends is its credit. */
    private long sentWithoutAnAnswer() throws Exception {
        settle(); // FEATURES and ALLOWANCE (from a new far) are in
        links[1].mute = true; // the far's OPEN_OK and CREDIT vanish
        TunnelStream s = near.openNow(new StreamOpen("o", 1, Hint.RAW), 0);
        long before = near.stats().bytesSent();
        s.write(Unpooled.wrappedBuffer(MuxSessionTest.random(8 << 20, 1)));
        MuxSessionTest.waitUntil(() -> near.stats().bytesSent() - before >= INITIAL);
        Thread.sleep(200); // room for a (buggy) sender to overrun
        settle();
        return near.stats().bytesSent() - before;
    }

    @Test void aNewStreamSendsItsEarlyCreditBeforeTheFarAnswersAndNoMore() throws Exception {
        connect(Frame.FEATURES_READ, false);
        assertTrue(EARLY > 0);
        assertEquals(INITIAL + EARLY, sentWithoutAnAnswer());
        MuxSessionTest.waitUntil(() -> far.stats().bytesReceived() == INITIAL + EARLY);
        assertTrue(far.isActive(), "within the credit the OPEN took: no violation");
        assertEquals(1, far.stats().streamsOpen(), "the stream is up at the far");
    }

    @Test void toAnEndThatGrantsNoAllowanceANewStreamSendsTheInitialWindow() throws Exception {
        connect(MuxSession.NO_FEATURES_FRAME, false); // an end from before ALLOWANCE
        assertEquals(INITIAL, sentWithoutAnAnswer());
    }

    @Test void dataBeforeItsOpenIsKeptWithinWhatTheOpenTakes() throws Exception {
        connect(Frame.FEATURES_READ, true);
        settle();
        byte[] body = MuxSessionTest.random((int) (INITIAL + INITIAL / 2), 2);
        nearLoop.submit(() -> {
            sendData(body, 0, true); // a lost OPEN re-sent late: its stream's data, past the initial window, comes first
            links[0].send(Frame.open(alloc, 1, 0, new StreamOpen("o", 1, Hint.RAW), INITIAL, 0));
            links[0].flush();
        }).get(5, TimeUnit.SECONDS);
        MuxSessionTest.Collector c = accepted.get(5, TimeUnit.SECONDS);
        assertArrayEquals(MuxSessionTest.sha(body), c.done.get(5, TimeUnit.SECONDS));
        assertTrue(far.isActive());
    }

    @Test void dataBeforeItsOpenBeyondWhatTheOpenTakesResetsTheStream() throws Exception {
        connect(Frame.FEATURES_READ, true);
        settle();
        byte[] body = MuxSessionTest.random((int) (INITIAL + 8192), 3);
        nearLoop.submit(() -> {
            sendData(body, 0, false);
            links[0].send(Frame.open(alloc, 1, 0, new StreamOpen("o", 1, Hint.RAW), 0, 0)); // took nothing early
            links[0].flush();
        }).get(5, TimeUnit.SECONDS);
        settle();
        assertFalse(accepted.isDone(), "reset before it reached the app");
        assertEquals(0, far.stats().streamsOpen());
        assertTrue(far.isActive(), "one stream's violation, not the session's");
    }

    @Test void bytesBehindAHoleDoNotUseUpTheWindow() throws Exception {
        connect(Frame.FEATURES_READ, true);
        settle();
        byte[] body = MuxSessionTest.random((int) INITIAL, 4);
        int hole = 8192;
        nearLoop.submit(() -> {
            links[0].send(Frame.open(alloc, 1, 0, new StreamOpen("o", 1, Hint.RAW), 0, 0)); // a 1 MiB window
            sendData(body, hole, true); // all of it but the first frame, lost on the way
            links[0].flush();
        }).get(5, TimeUnit.SECONDS);
        settle();
        assertTrue(links[1].sentTypes.contains(Frame.CREDIT), "the far grants credit while the hole is open: " + links[1].sentTypes);
        nearLoop.submit(() -> {
            links[0].send(Frame.dataHeader(alloc, 1, 0, false, hole).writeBytes(body, 0, hole)); // the re-send
            links[0].flush();
        }).get(5, TimeUnit.SECONDS);
        MuxSessionTest.Collector c = accepted.get(5, TimeUnit.SECONDS);
        assertArrayEquals(MuxSessionTest.sha(body), c.done.get(5, TimeUnit.SECONDS));
        assertTrue(far.isActive());
    }

    @Test void anOpenTakingMoreThanWasGrantedClosesTheSession() throws Exception {
        connect(Frame.FEATURES_READ, true);
        settle();
        long tooMuch = MuxOptions.defaults().earlyAllowance() + 1;
        nearLoop.execute(() -> {
            links[0].send(Frame.open(alloc, 1, 0, new StreamOpen("o", 1, Hint.RAW), tooMuch, 0));
            links[0].flush();
        });
        assertNotNull(far.closeFuture().get(5, TimeUnit.SECONDS));
    }
}
