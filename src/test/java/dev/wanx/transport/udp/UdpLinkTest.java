package dev.wanx.transport.udp;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Frames that reach a link before any session attaches to it. */
class UdpLinkTest {
    @Test void framesNoSessionEverTookAreFreedWhenTheLinkCloses() {
        EmbeddedChannel ch = new EmbeddedChannel();
        AtomicInteger terminated = new AtomicInteger();
        UdpLink link = new UdpLink(ch.eventLoop(), ch, "far", null, l -> terminated.incrementAndGet());
        ByteBuf features = Unpooled.buffer().writeByte(11).writeInt(1); // a far's first frames, for a probe's loser
        ByteBuf allowance = Unpooled.buffer().writeByte(13).writeLong(6 << 20);
        link.onFrame(features);
        link.onFrame(allowance);
        assertEquals(1, features.refCnt(), "kept for a session that may still attach");
        link.onClosed(new IOException("probe round lost"));
        assertEquals(1, terminated.get());
        assertEquals(0, features.refCnt(), "freed: no session will read it");
        assertEquals(0, allowance.refCnt());
        ch.finishAndReleaseAll();
    }
}
