package dev.wanx.transport.udp;

import dev.wanx.transport.FrameLink;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UdpMigrationTest {
    @Test
    void nearSocketReplacedMidTransferBothDirectionsComplete() throws Exception {
        try (LinkPair p = new LinkPair(UdpOptions.defaults(), UdpOptions.defaults())) {
            FrameLink far = p.farLink.get(5, TimeUnit.SECONDS);
            int n = 20_000;
            LinkPair.Sink atFar = new LinkPair.Sink(n);
            LinkPair.Sink atNear = new LinkPair.Sink(n);
            far.setHandler(atFar);
            p.near.setHandler(atNear);
            byte[] up = LinkPair.pump(p.near, n, 1000, 11);
            byte[] down = LinkPair.pump(far, n, 1000, 12);
            while (atFar.count < n / 4 || atNear.count < n / 4) {
                Thread.sleep(1);
            }
            UdpLink near = (UdpLink) p.near;
            InetSocketAddress before = near.eventLoop().submit(near::localAddress).get();
            near.rebind().get(5, TimeUnit.SECONDS);
            InetSocketAddress after = near.eventLoop().submit(near::localAddress).get();
            assertNotEquals(before.getPort(), after.getPort());
            assertTrue(atFar.done.await(30, TimeUnit.SECONDS), "near->far " + atFar.count);
            assertTrue(atNear.done.await(30, TimeUnit.SECONDS), "far->near " + atNear.count);
            assertNull(atFar.error.get());
            assertNull(atNear.error.get());
            assertArrayEquals(up, atFar.sha());
            assertArrayEquals(down, atNear.sha());
            ConnectionCounters c = far.eventLoop().submit(() -> ((UdpLink) far).counters()).get();
            assertTrue(c.migrations >= 1, "far validated and moved to the new path: " + c);
        }
    }
}
