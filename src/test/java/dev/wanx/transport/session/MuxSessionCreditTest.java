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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Session credit (SESSION_MAX, BOUND) between two sessions in memory: what it allows (many more streams than the
 * streams' windows did) and what it holds (the receiver's memory, whatever the number of streams).
 */
class MuxSessionCreditTest {
    private static final long MB = 1 << 20;
    /** A small budget (4 MiB, so 8 MiB of session credit) keeps the test's memory low. */
    private static final MuxOptions SMALL = new MuxOptions(MB, 4 * MB, MB, 256 << 10, 8192, 1000);
    private final EventLoop nearLoop = new DefaultEventLoop();
    private final EventLoop farLoop = new DefaultEventLoop();
    private final ByteBufAllocator alloc = UnpooledByteBufAllocator.DEFAULT;
    private MemoryLink[] links;
    private MuxSession near;
    private MuxSession far;
    private final List<TunnelStream> accepted = new ArrayList<>();
    private final List<MuxSessionTest.Collector> sinks = new ArrayList<>();

    /** The far accepts every stream; with {@code read} false its app reads nothing until {@link #readAll}. */
    private void connect(MuxOptions options, int nearFeatures, int farFeatures, boolean read) {
        links = MemoryLink.pair(nearLoop, farLoop, 16 << 10, null);
        near = new MuxSession(links[0], true, options, System::nanoTime, nearFeatures);
        far = new MuxSession(links[1], false, options, System::nanoTime, farFeatures);
        far.setAcceptor(in -> {
            try {
                MuxSessionTest.Collector c = new MuxSessionTest.Collector();
                TunnelStream s = in.accept();
                s.setReadEnabled(read);
                s.setSink(c);
                accepted.add(s); // the far's loop only
                sinks.add(c);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @AfterEach void tearDown() throws Exception { MuxSessionTest.closeAll(near, far, nearLoop, farLoop); }

    private void settle() throws Exception {
        for (int i = 0; i < 3; i++) {
            nearLoop.submit(() -> { }).get(5, TimeUnit.SECONDS);
            farLoop.submit(() -> { }).get(5, TimeUnit.SECONDS);
        }
    }

    private long farHeld() throws Exception { return farLoop.submit(() -> far.credit().held()).get(5, TimeUnit.SECONDS); }

    private void readAll() throws Exception {
        farLoop.submit(() -> accepted.forEach(s -> s.setReadEnabled(true))).get(5, TimeUnit.SECONDS);
    }

    @Test void twoCurrentEndsOpenAThousandStreamsThatNoneOfThemReads() throws Exception {
        connect(MuxOptions.defaults(), Frame.FEATURES_READ, Frame.FEATURES_READ, false);
        settle(); // FEATURES, SESSION_MAX and BOUND are through
        assertEquals(0, MuxSessionTest.openAndCountRefused(near, 1000), "initial windows alone would have refused all past 128");
        assertEquals(1000, far.stats().streamsOpen());
        assertTrue(far.isActive());
    }

    @Test void toAFarWithoutSessionCreditStreamsPastTheWindowsFitAreRefused() throws Exception {
        connect(MuxOptions.defaults(), Frame.FEATURES_READ, Frame.FEATURE_DATA_V, false);
        settle();
        assertTrue(MuxSessionTest.openAndCountRefused(near, 140) > 0, "the near never bound itself, so the far counts initial windows");
        assertFalse(links[0].sentTypes.contains(Frame.BOUND));
        assertEquals(-1, near.stats().creditLeft(), "not bound: no session credit to show");
        assertEquals(-1, far.stats().peerCreditLeft());
        assertEquals(-1, far.stats().heldBytes());
        assertTrue(near.isActive());
    }

    @Test void aFarWhoseAppReadsNothingHoldsAtMostTheSessionCreditThenGetsEveryByte() throws Exception {
        connect(SMALL, Frame.FEATURES_READ, Frame.FEATURES_READ, false);
        settle();
        int n = 40;
        int size = 512 << 10; // 20 MiB in all, each stream within its 1 MiB window: only the session credit holds them
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] body = MuxSessionTest.random(size, 100 + i);
            bodies.add(body);
            TunnelStream s = near.openNow(new StreamOpen("origin", 80, Hint.RAW), 0);
            s.write(Unpooled.wrappedBuffer(body));
            s.shutdownOutput();
        }
        MuxSessionTest.waitUntil(() -> far.stats().bytesReceived() >= 8 * MB);
        Thread.sleep(200); // room for a (buggy) sender to overrun
        settle();
        assertEquals(8 * MB, far.stats().bytesReceived(), "exactly the session credit, not a byte more");
        assertEquals(8 * MB, farHeld());
        // What `wanx status` shows: the receiver's app holds the whole credit, and neither end may send more
        assertEquals(8 * MB, far.stats().heldBytes());
        assertEquals(0, far.stats().peerCreditLeft());
        assertEquals(0, near.stats().creditLeft());
        readAll();
        MuxSessionTest.waitUntil(() -> {
            try {
                return farLoop.submit(() -> sinks.size() == n && sinks.stream().allMatch(c -> c.done.isDone())).get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < n; i++) {
            MuxSessionTest.Collector c = sinks.get(i);
            assertArrayEquals(MuxSessionTest.sha(bodies.get(i)), c.done.get(), "stream " + i);
        }
        assertEquals(0, farHeld());
        assertEquals(0, far.stats().heldBytes());
        assertTrue(far.stats().peerCreditLeft() >= 8 * MB - 20 * MB / 8, "credit again: " + far.stats());
        assertTrue(far.isActive());
    }

    @Test void bytesOfStreamsResetWithDataUnreadAreReleasedSoTheCreditNeverLeaks() throws Exception {
        connect(SMALL, Frame.FEATURES_READ, Frame.FEATURES_READ, false);
        settle();
        int rounds = 30; // 30 MiB through 8 MiB of session credit
        for (int i = 0; i < rounds; i++) {
            TunnelStream s = near.openNow(new StreamOpen("origin", 80, Hint.RAW), 0);
            s.write(Unpooled.wrappedBuffer(MuxSessionTest.random((int) MB, i)));
            long want = (i + 1) * MB;
            MuxSessionTest.waitUntil(() -> far.stats().bytesReceived() >= want);
            if (i % 2 == 0) {
                farLoop.submit(() -> accepted.get(accepted.size() - 1).abort(null)).get(5, TimeUnit.SECONDS); // the far's app goes
            } else {
                s.abort(null); // the near's app goes: its RESET comes after its data
            }
            settle();
        }
        assertEquals(rounds * MB, far.stats().bytesReceived());
        assertEquals(0, farHeld(), "every unread byte left with its stream");
        assertTrue(far.isActive());
    }

    @Test void aBoundPeerThatSendsPastTheSessionCreditEndsTheSession() throws Exception {
        // The near sends no FEATURES bit of its own: it never binds itself, so the frames below are all the test's.
        connect(SMALL, Frame.FEATURE_DATA_V, Frame.FEATURES_READ, false);
        settle();
        sendNineStreamsOfOneMiB(true);
        far.closeFuture().get(5, TimeUnit.SECONDS);
        assertFalse(far.isActive(), "8 MiB of session credit, 9 MiB sent");
    }

    /**
     * Raw frames from the near's side: 9 streams of 1 MiB each, every stream within its window, 9 MiB in all (past the
     * 8 MiB of session credit); with {@code bound} a BOUND(0) goes first.
     */
    private void sendNineStreamsOfOneMiB(boolean bound) throws Exception {
        byte[] chunk = MuxSessionTest.random(8192, 7);
        nearLoop.submit(() -> {
            if (bound) links[0].send(Frame.bound(alloc, 0));
            for (int st = 0; st < 9; st++) {
                long id = 2L * st + 1;
                links[0].send(Frame.open(alloc, id, 0, new StreamOpen("o", 1, Hint.RAW), 0, 0));
                for (int off = 0; off < MB; off += chunk.length) {
                    links[0].send(Frame.dataHeader(alloc, id, off, false, chunk.length).writeBytes(chunk));
                }
            }
            links[0].flush();
        }).get(5, TimeUnit.SECONDS);
    }

    @Test void theSameFramesFromAPeerThatNeverBoundItselfMeetTheStreamRule() throws Exception {
        connect(SMALL, Frame.FEATURE_DATA_V, Frame.FEATURES_READ, false);
        settle();
        sendNineStreamsOfOneMiB(false);
        MuxSessionTest.waitUntil(() -> far.stats().bytesReceived() == 8 * MB);
        settle();
        assertTrue(far.isActive(), "an end from before session credit is held by its streams' credit alone");
        assertEquals(8, far.stats().streamsOpen(), "the ninth stream's initial window would pass twice the budget");
        assertTrue(links[1].sentTypes.contains(Frame.RESET));
        assertEquals(0, farHeld() - 8 * MB, "the refused stream's bytes are not held");
    }
}
