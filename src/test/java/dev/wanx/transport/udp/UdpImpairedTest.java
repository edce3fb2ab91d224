package dev.wanx.transport.udp;

import dev.wanx.transport.FrameLink;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exactly-once delivery through the seeded impairment: 20 % loss, 50-packet bursts, reordering, duplicates. */
class UdpImpairedTest {
    @Test
    void twentyThousandFramesThroughHeavyImpairmentArriveExactlyOnce() throws Exception {
        AtomicInteger seeds = new AtomicInteger(42);
        Impairment[] made = new Impairment[4];
        AtomicInteger idx = new AtomicInteger();
        UdpOptions opts = UdpOptions.defaults().withInboundFilter(() -> {
            Impairment i = new Impairment(seeds.getAndIncrement(), 0.20, 0.001, 50, 1_000_000L, 4_000_000L, 0.05);
            made[idx.getAndIncrement() % 4] = i;
            return i;
        });
        try (LinkPair p = new LinkPair(opts, opts)) {
            FrameLink far = p.farLink.get(10, TimeUnit.SECONDS);
            int n = Integer.getInteger("udp.frames", 20_000);
            LinkPair.Sink atFar = new LinkPair.Sink(n);
            far.setHandler(atFar);
            byte[] sent = LinkPair.pump(p.near, n, 1016, 7);
            boolean ok = atFar.done.await(Integer.getInteger("udp.wait", 120), TimeUnit.SECONDS);
            String counters = far.eventLoop().submit(() -> ((UdpLink) far).counters().toString()).get()
                    + " | near " + p.near.eventLoop().submit(() -> ((UdpLink) p.near).counters() + " " + ((UdpLink) p.near).debugState()).get();
            assertTrue(ok, "got " + atFar.count + " of " + n + "; " + counters);
            assertNull(atFar.error.get());
            assertArrayEquals(sent, atFar.sha());
            long dropped = 0;
            long dups = 0;
            for (Impairment i : made) {
                if (i != null) {
                    dropped += i.dropped.get();
                    dups += i.duplicated.get();
                }
            }
            assertTrue(dropped > n / 10, "the impairment must actually drop packets: " + dropped);
            assertTrue(dups > 100, "and duplicate some: " + dups);
            System.out.println("impaired transfer ok: dropped=" + dropped + " duplicated=" + dups + " " + counters);
        }
    }

    /**
     * Full-size packets over real sockets with random loss: REPAIR packets (20 bytes longer than the largest DATA
     * packet) must reach the receiver whole and rebuild lost packets; no datagram may be cut or fail to open.
     */
    @Test
    void fullSizePacketsAreRepairedAndNoneIsTruncated() throws Exception {
        UdpOptions opts = UdpOptions.defaults().withInboundFilter(() -> new Impairment(7, 0.05, 0, 0, 0, 0, 0));
        try (LinkPair p = new LinkPair(opts, opts)) {
            FrameLink far = p.farLink.get(10, TimeUnit.SECONDS);
            int n = 2000;
            LinkPair.Sink atFar = new LinkPair.Sink(n);
            far.setHandler(atFar);
            byte[] sent = LinkPair.pump(p.near, n, p.near.maxFrameSize() - 8, 11);
            assertTrue(atFar.done.await(60, TimeUnit.SECONDS), "got " + atFar.count + " of " + n);
            assertArrayEquals(sent, atFar.sha());
            ConnectionCounters c = far.eventLoop().submit(() -> ((UdpLink) far).counters()).get();
            assertTrue(c.fecRecovered > 0, "full-size packets rebuilt from REPAIRs: " + c);
            assertEquals(0, c.forgedPackets, "no datagram cut short: " + c);
            assertEquals(0, c.malformedPackets, "no datagram over the size limit: " + c);
        }
    }
}
