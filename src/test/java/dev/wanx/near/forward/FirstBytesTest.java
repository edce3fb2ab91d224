package dev.wanx.near.forward;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FirstBytesTest {
    private final List<ByteBuf> handed = new ArrayList<>();
    private int calls;

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast("firstBytes", new FirstBytes(b -> {
            calls++;
            if (b != null) handed.add(b);
        }));
        return ch;
    }

    @Test void theClientsFirstBytesGoWithTheDial() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", StandardCharsets.US_ASCII));
        assertEquals(1, calls);
        assertEquals("GET / HTTP/1.1\r\n", handed.get(0).toString(StandardCharsets.US_ASCII));
        assertNull(ch.pipeline().get("firstBytes"), "removed: later bytes go to the relay");
        assertFalse(ch.config().isAutoRead(), "later bytes wait for the relay");
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertEquals(1, calls, "the timer does not fire a second hand-over");
        handed.forEach(ByteBuf::release);
        assertFalse(ch.finish());
    }

    @Test void aServerFirstProtocolIsDialedAfterTheWaitWithNoBytes() {
        EmbeddedChannel ch = channel();
        ch.advanceTimeBy(FirstBytes.WAIT_MS - 1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertEquals(0, calls, "still waiting");
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertEquals(1, calls);
        assertTrue(handed.isEmpty());
        assertFalse(ch.config().isAutoRead());
        assertFalse(ch.finish());
    }

    @Test void aHalfCloseBeforeAnyByteHandsOverAndPassesTheEventOn() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        List<Object> events = new ArrayList<>();
        ch.pipeline().addLast("firstBytes", new FirstBytes(b -> { // as the forward does: the relay's handler comes in the hand-over
            calls++;
            ch.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
                @Override public void userEventTriggered(io.netty.channel.ChannelHandlerContext ctx, Object evt) { events.add(evt); }
            });
        }));
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertEquals(1, calls);
        assertEquals(List.of(ChannelInputShutdownEvent.INSTANCE), events);
        assertFalse(ch.finish());
    }

    @Test void aClientGoneDuringTheWaitIsNotDialed() {
        EmbeddedChannel ch = channel();
        ch.close();
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertEquals(0, calls);
    }
}
