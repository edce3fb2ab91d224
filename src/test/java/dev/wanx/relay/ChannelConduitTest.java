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

    @Test void aRunOfWritesGoesOutInOrderWithOneFlush() {
        int[] flushes = {0};
        EmbeddedChannel ch = new EmbeddedChannel(new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override public void flush(io.netty.channel.ChannelHandlerContext ctx) {
                flushes[0]++;
                ctx.flush();
            }
        });
        ChannelConduit c = ChannelConduit.attach(ch);
        c.setSink(new Recorder());
        ch.runPendingTasks();
        flushes[0] = 0;
        for (String s : new String[] {"a", "b", "c", "d"}) c.write(ascii(s)); // as a tunnel stream delivers frames
        ch.runPendingTasks();
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; b.release()) out.append(b.toString(StandardCharsets.US_ASCII));
        assertEquals("abcd", out.toString());
        assertEquals(1, flushes[0], "one flush (one writev) for the run, not one per buffer");
        c.write(ascii("e"));
        c.shutdownOutput();
        ch.runPendingTasks();
        ByteBuf e = ch.readOutbound();
        assertEquals("e", e.toString(StandardCharsets.US_ASCII), "written before the half-close, so sent before it");
        e.release();
        ch.finishAndReleaseAll();
    }

    @Test void aWriteJustBeforeCloseIsNotHeld() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ChannelConduit c = ChannelConduit.attach(ch);
        c.setSink(new Recorder());
        ch.runPendingTasks();
        ByteBuf b = ascii("late");
        c.write(b);
        ch.close(); // before the loop ran the drain
        ch.finishAndReleaseAll();
        assertEquals(0, b.refCnt());
        c.write(ascii("after close")); // released at once (the leak detector would report it otherwise)
    }
}
