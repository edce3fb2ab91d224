package dev.wanx.transport.udp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Random loss vs congestion loss on synthetic traces (simulated links, virtual time). */
class LossClassifierTest {
    static final long MS = 1_000_000L;

    static ConnectionCounters transfer(SimNet net, int frames) {
        Runnable feed = net.feeder(net.a, frames, net.a.conn.maxFrameSize());
        assertTrue(net.runUntil(() -> net.b.received == frames, 120_000 * MS, feed), "every frame arrives");
        return net.a.conn.counters;
    }

    @Test
    void isolatedDropsWithoutAQueueAreRandom() {
        // 2 % random loss, 100 ms RTT, no rate limit: nothing ever queues
        try (SimNet net = new SimNet(5, 0.02, 0, 0, 50 * MS, 0, 0, 0, 0, UdpOptions.defaults(), true)) {
            ConnectionCounters c = transfer(net, 5000);
            System.out.println("random trace: " + c);
            assertTrue(c.packetsLost > 50, "the trace loses: " + c);
            assertTrue(c.lostRandom >= 0.9 * c.packetsLost, "classified random: " + c);
        }
    }

    @Test
    void dropsAtAFullBottleneckQueueAreCongestion() {
        // no random loss; 20 Mbit/s with a 30 KB drop-tail queue (an eighth of the BDP): slow start overruns it
        try (SimNet net = new SimNet(5, 0, 0, 0, 50 * MS, 0, 0, 2_500_000L, 30_000L, UdpOptions.defaults(), true)) {
            ConnectionCounters c = transfer(net, 5000);
            System.out.println("congestion trace: " + c);
            assertTrue(c.packetsLost > 10, "the queue overflows: " + c);
            assertTrue(c.lostCongestion >= 0.9 * c.packetsLost, "classified congestion: " + c);
        }
    }
}
