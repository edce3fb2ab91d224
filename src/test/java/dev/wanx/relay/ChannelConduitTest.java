package dev.wanx.relay;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelConduitTest {
    static final class Recorder implements ConduitSink {
        final StringBuilder data = new StringBuilder();
        final List<String> events = new ArrayList<>();

        @Override public void onData(ByteBuf b) {
            data.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        @Override public void onInputShutdown() { events.add("fin"); }
        @Override public void onClosed(Throwable cause) { events.add(cause == null ? "closed" : "error"); }
        @Override public void onWritabilityChanged(boolean writable) { events.add("writable=" + writable); }
    }

    private static ByteBuf ascii(String s) { return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII); }

    @Test void bytesBeforeTheSinkAreKeptInOrder() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ChannelConduit c = ChannelConduit.attach(ch);
        ch.writeInbound(ascii("one "));
        ch.writeInbound(ascii("two "));
        Recorder r = new Recorder();
        c.setSink(r);
        ch.runPendingTasks();
        ch.writeInbound(ascii("three"));
        assertEquals("one two three", r.data.toString());
        ch.finishAndReleaseAll();
    }

    @Test void aReadThatLandsAfterReadingWasSwitchedOffIsNotLost() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ChannelConduit c = ChannelConduit.attach(ch);
        Recorder r = new Recorder();
        c.setSink(r);
        ch.runPendingTasks();
        c.setReadEnabled(false);
        ch.runPendingTasks();
        ch.writeInbound(ascii("late batch")); // as epoll may still deliver one
        assertEquals("late batch", r.data.toString());
        assertFalse(ch.config().isAutoRead(), "reading is manual: auto-read stays off");
        ch.finishAndReleaseAll();
    }

    @Test void writesReachTheChannelAndAbortClosesIt() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ChannelConduit c = ChannelConduit.attach(ch);
        Recorder r = new Recorder();
        c.setSink(r);
        c.write(ascii("out"));
        ch.runPendingTasks();
        ByteBuf out = ch.readOutbound();
        assertEquals("out", out.toString(StandardCharsets.US_ASCII));
        out.release();
        c.abort(new RuntimeException("peer reset"));
        ch.runPendingTasks();
        assertFalse(ch.isOpen());
        assertTrue(r.events.contains("error"), r.events.toString());
    }
}
