package dev.wanx.transport.session;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.transport.Hint;
import dev.wanx.transport.StreamOpen;
import dev.wanx.transport.TunnelStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The CONFIG frame (far to near) and the rule that frame types a peer does not know are skipped, not fatal. */
class MuxConfigFrameTest {
    private final EventLoop nearLoop = new DefaultEventLoop();
    private final EventLoop farLoop = new DefaultEventLoop();
    private MemoryLink[] links;
    private MuxSession near;
    private MuxSession far;

    private void connect() {
        links = MemoryLink.pair(nearLoop, farLoop, 1200, null);
        near = new MuxSession(links[0], true, MuxOptions.defaults());
        far = new MuxSession(links[1], false, MuxOptions.defaults());
        far.setAcceptor(MuxSessionTest.ECHO);
    }

    @AfterEach void tearDown() throws Exception { MuxSessionTest.closeAll(near, far, nearLoop, farLoop); }

    @Test void configReachesTheListenerInOrder() throws Exception {
        connect();
        LinkedBlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
        near.setConfigListener(got::add);
        far.sendConfig(new byte[] {1, 2, 3});
        far.sendConfig(new byte[] {1, 9});
        assertArrayEquals(new byte[] {1, 2, 3}, got.poll(5, TimeUnit.SECONDS));
        assertArrayEquals(new byte[] {1, 9}, got.poll(5, TimeUnit.SECONDS));
        assertTrue(near.isActive());
    }

    @Test void aConfigBeforeTheListenerIsKeptForIt() throws Exception {
        connect();
        far.sendConfig(new byte[] {1, 1});
        far.sendConfig(new byte[] {1, 2}); // only the latest counts
        CompletableFuture<Void> arrived = new CompletableFuture<>();
        farLoop.execute(() -> nearLoop.execute(() -> arrived.complete(null))); // after both frames' delivery
        arrived.get(5, TimeUnit.SECONDS);
        LinkedBlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
        near.setConfigListener(got::add);
        assertArrayEquals(new byte[] {1, 2}, got.poll(5, TimeUnit.SECONDS));
        assertNull(got.poll(100, TimeUnit.MILLISECONDS));
    }

    @Test void unknownFrameTypesAreSkippedAndCounted() throws Exception {
        connect();
        farLoop.execute(() -> {
            links[1].send(Unpooled.wrappedBuffer(new byte[] {99, 1, 2}));
            links[1].send(Unpooled.wrappedBuffer(new byte[] {(byte) 200}));
            links[1].flush();
        });
        // The session stays up and carries streams.
        TunnelStream s = near.openStream(new StreamOpen("echo", 7, Hint.RAW), Unpooled.wrappedBuffer(new byte[] {42}))
                .get(5, TimeUnit.SECONDS);
        assertNotNull(s);
        assertTrue(near.isActive());
        assertFalse(near.closeFuture().isDone());
        assertEquals(2, near.unknownFramesIgnored());
    }

    @Test void malformedKnownFramesStillCloseTheSession() throws Exception {
        connect();
        farLoop.execute(() -> {
            links[1].send(Unpooled.wrappedBuffer(new byte[] {Frame.CONFIG})); // no payload: shorter than its minimum
            links[1].flush();
        });
        assertNotNull(near.closeFuture().get(5, TimeUnit.SECONDS));
    }

    @Test void anEmptyFrameClosesTheSession() throws Exception {
        connect();
        farLoop.execute(() -> {
            links[1].send(Unpooled.EMPTY_BUFFER);
            links[1].flush();
        });
        assertNotNull(near.closeFuture().get(5, TimeUnit.SECONDS));
    }
}
