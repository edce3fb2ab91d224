package dev.wanx.transport.session;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.transport.Hint;
import dev.wanx.transport.StreamOpen;
import dev.wanx.transport.TunnelStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** FEATURES and DATA_V: compact stream data once the peer says it reads it, plain DATA to an end from before. */
class MuxDataVTest {
    private final EventLoop nearLoop = new DefaultEventLoop();
    private final EventLoop farLoop = new DefaultEventLoop();
    private MemoryLink[] links;
    private MuxSession near;
    private MuxSession far;

    private void connect(int nearFeatures, int farFeatures) {
        links = MemoryLink.pair(nearLoop, farLoop, 1200, 7L);
        near = new MuxSession(links[0], true, MuxOptions.defaults(), System::nanoTime, nearFeatures);
        far = new MuxSession(links[1], false, MuxOptions.defaults(), System::nanoTime, farFeatures);
        far.setAcceptor(MuxSessionTest.ECHO);
    }

    @AfterEach void tearDown() throws Exception { MuxSessionTest.closeAll(near, far, nearLoop, farLoop); }

    /** Echoes {@code size} random bytes through one stream and checks them; returns nothing, asserts. */
    private void echo(int size) throws Exception {
        byte[] body = MuxSessionTest.random(size, 3);
        TunnelStream s = near.openStream(new StreamOpen("origin.example", 80, Hint.RAW), null).get(10, TimeUnit.SECONDS);
        MuxSessionTest.Collector c = new MuxSessionTest.Collector();
        s.setSink(c);
        s.write(Unpooled.wrappedBuffer(body));
        s.shutdownOutput();
        assertArrayEquals(MuxSessionTest.sha(body), c.done.get(30, TimeUnit.SECONDS));
        assertEquals(size, c.bytes);
    }

    private static long count(MemoryLink l, int type) { return l.sentTypes.stream().filter(t -> t == type).count(); }

    @Test void bothNewEndsSendStreamDataCompactAfterFeatures() throws Exception {
        connect(Frame.FEATURES_READ, Frame.FEATURES_READ);
        echo(300_000);
        for (MemoryLink l : links) {
            assertEquals(Frame.FEATURES, l.sentTypes.peek(), "FEATURES goes first");
            assertTrue(count(l, Frame.DATA_V) >= 300_000 / 1200, "compact data: " + l.sentTypes.size() + " frames");
            assertEquals(0, count(l, Frame.DATA), "no plain DATA once FEATURES arrived (the stream opened after)");
        }
    }

    @Test void anEndFromBeforeFeaturesGetsPlainDataAndStillSendsItsOwn() throws Exception {
        connect(Frame.FEATURES_READ, MuxSession.NO_FEATURES_FRAME); // the far acts as an older end
        echo(300_000);
        assertEquals(0, count(links[0], Frame.DATA_V), "the near never sends DATA_V to an end that did not ask");
        assertTrue(count(links[0], Frame.DATA) >= 300_000 / 1200);
        // (the test's far still reads DATA_V, so it may send it: the near advertised it)
        assertTrue(count(links[1], Frame.DATA_V) > 0);
    }

    @Test void anEndThatReadsNothingNewGetsPlainData() throws Exception {
        connect(0, 0);
        echo(100_000);
        for (MemoryLink l : links) {
            assertEquals(0, count(l, Frame.DATA_V));
            assertTrue(count(l, Frame.DATA) > 0);
        }
    }

    @Test void plainAndCompactFramesOfOneStreamJoinInOrder() throws Exception {
        CompletableFuture<MuxSessionTest.Collector> got = new CompletableFuture<>();
        links = MemoryLink.pair(nearLoop, farLoop, 1200, null);
        near = new MuxSession(links[0], true, MuxOptions.defaults());
        far = new MuxSession(links[1], false, MuxOptions.defaults());
        far.setAcceptor(in -> {
            try {
                MuxSessionTest.Collector c = new MuxSessionTest.Collector();
                in.accept().setSink(c);
                got.complete(c);
            } catch (Exception e) {
                got.completeExceptionally(e);
            }
        });
        near.openStream(new StreamOpen("o", 80, Hint.RAW), Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII))
                .get(5, TimeUnit.SECONDS);
        long id = 1; // the near's first stream
        io.netty.buffer.ByteBufAllocator alloc = io.netty.buffer.UnpooledByteBufAllocator.DEFAULT;
        nearLoop.execute(() -> {
            // Out of order, compact and plain mixed, as a stream's re-sent frames from before FEATURES would be.
            links[0].send(Frame.dataHeader(alloc, id, 6, true, 3, true).writeBytes("ghi".getBytes(StandardCharsets.US_ASCII)));
            links[0].send(Frame.dataHeader(alloc, id, 3, false, 3, false).writeBytes("def".getBytes(StandardCharsets.US_ASCII)));
            links[0].flush();
        });
        MuxSessionTest.Collector c = got.get(5, TimeUnit.SECONDS);
        assertArrayEquals(MuxSessionTest.sha("abcdefghi".getBytes(StandardCharsets.US_ASCII)), c.done.get(5, TimeUnit.SECONDS));
    }

    @Test void aCompactFrameWhoseVarintsRunPastItsEndClosesTheSession() throws Exception {
        connect(Frame.FEATURES_READ, Frame.FEATURES_READ);
        farLoop.execute(() -> {
            // stream id says 8 bytes (top bits 11) but the frame ends after 3
            links[1].send(Unpooled.wrappedBuffer(new byte[] {Frame.DATA_V, (byte) 0xC0, 0, 0}));
            links[1].flush();
        });
        assertNotNull(near.closeFuture().get(5, TimeUnit.SECONDS));
    }
}
