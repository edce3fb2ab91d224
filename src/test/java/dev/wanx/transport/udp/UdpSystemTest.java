package dev.wanx.transport.udp;

import dev.wanx.transport.FrameLink;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UdpSystemTest {
    @Test
    void cleanTransferBothWays() throws Exception {
        try (LinkPair p = new LinkPair(UdpOptions.defaults(), UdpOptions.defaults())) {
            FrameLink far = p.farLink.get(5, TimeUnit.SECONDS);
            LinkPair.Sink atFar = new LinkPair.Sink(5000);
            LinkPair.Sink atNear = new LinkPair.Sink(5000);
            far.setHandler(atFar);
            p.near.setHandler(atNear);
            byte[] up = LinkPair.pump(p.near, 5000, 1000, 1);
            byte[] down = LinkPair.pump(far, 5000, 1000, 2);
            assertTrue(atFar.done.await(20, TimeUnit.SECONDS), "near->far got " + atFar.count);
            assertTrue(atNear.done.await(20, TimeUnit.SECONDS), "far->near got " + atNear.count);
            assertNull(atFar.error.get());
            assertNull(atNear.error.get());
            assertArrayEquals(up, atFar.sha());
            assertArrayEquals(down, atNear.sha());
        }
    }
}
