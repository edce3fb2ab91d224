package dev.wanx.transport.session;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** CONFIG and ANNOUNCE without a session: the loop is the test's thread, or a queue the test runs. */
class SessionMessagesTest {
    private final MemoryLink link = MemoryLink.pair(null, null, 16, null)[0]; // only its frame size and names are used
    private final List<Runnable> loopTasks = new ArrayList<>();
    private final List<ByteBuf> sent = new ArrayList<>();
    private boolean active = true;

    private SessionMessages messages(boolean queued) {
        return new SessionMessages(link, UnpooledByteBufAllocator.DEFAULT, queued ? loopTasks::add : Runnable::run,
                () -> active, sent::add);
    }

    @AfterEach void release() { sent.forEach(ByteBuf::release); }

    @Test void onlyTheLatestMessageBeforeAListenerIsKeptAndHandedToIt() {
        SessionMessages m = messages(false);
        m.onMessage(Frame.CONFIG, new byte[] {1});
        m.onMessage(Frame.CONFIG, new byte[] {2});
        m.onMessage(Frame.ANNOUNCE, new byte[] {7});
        List<byte[]> config = new ArrayList<>();
        m.setListener(Frame.CONFIG, config::add);
        assertEquals(1, config.size());
        assertArrayEquals(new byte[] {2}, config.get(0));
        m.onMessage(Frame.CONFIG, new byte[] {3});
        assertArrayEquals(new byte[] {3}, config.get(1), "with a listener set, each message goes to it");
        List<byte[]> announce = new ArrayList<>();
        m.setListener(Frame.ANNOUNCE, announce::add);
        assertArrayEquals(new byte[] {7}, announce.get(0), "kept per type");
        assertEquals(2, config.size());
    }

    @Test void aListenerClearedBeforehandDropsWhatWasKept() {
        SessionMessages m = messages(false);
        m.onMessage(Frame.CONFIG, new byte[] {1});
        m.setListener(Frame.CONFIG, null);
        List<byte[]> got = new ArrayList<>();
        m.setListener(Frame.CONFIG, got::add);
        assertTrue(got.isEmpty());
        m.setListener(Frame.CONFIG, null);
        m.onMessage(Frame.CONFIG, new byte[] {2}); // no listener again: kept
        m.setListener(Frame.CONFIG, got::add);
        assertArrayEquals(new byte[] {2}, got.get(0));
    }

    @Test void aFailingListenerDoesNotStopLaterMessages() {
        SessionMessages m = messages(false);
        List<byte[]> got = new ArrayList<>();
        m.setListener(Frame.CONFIG, p -> {
            got.add(p);
            throw new IllegalStateException("listener bug");
        });
        m.onMessage(Frame.CONFIG, new byte[] {1});
        m.onMessage(Frame.CONFIG, new byte[] {2});
        assertEquals(2, got.size());
    }

    @Test void sendCopiesThePayloadAtOnceAndSendsOnTheLoop() {
        SessionMessages m = messages(true);
        byte[] payload = {4, 5};
        m.send(Frame.ANNOUNCE, payload);
        payload[0] = 9; // the caller reuses its array before the loop runs
        assertTrue(sent.isEmpty());
        loopTasks.forEach(Runnable::run);
        assertEquals(1, sent.size());
        assertEquals(Frame.ANNOUNCE, Frame.type(sent.get(0)));
        assertArrayEquals(new byte[] {4, 5}, Frame.messagePayload(sent.get(0)));
    }

    @Test void nothingGoesOutWhenClosedOrTooLargeForAFrame() {
        SessionMessages m = messages(false);
        m.send(Frame.CONFIG, new byte[15]); // with its type byte, 16: fits
        m.send(Frame.CONFIG, new byte[16]);
        active = false;
        m.send(Frame.CONFIG, new byte[1]);
        assertEquals(1, sent.size());
        assertEquals(16, sent.get(0).readableBytes());
    }
}
