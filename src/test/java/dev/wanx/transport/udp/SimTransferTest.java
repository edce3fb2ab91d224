package dev.wanx.transport.udp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whole-connection behaviour on a simulated link, virtual time only. */
class SimTransferTest {
    @Test
    void heavyImpairmentDeliversEverythingOnce() {
        SimNet net = new SimNet(3, 0.20, 0.001, 50, 2_000_000L, 4_000_000L, 0.05, 0, 0, UdpOptions.defaults());
        try (net) {
            int n = 10_000;
            boolean ok = net.runUntil(() -> net.b.received == n, 120_000_000_000L, net.feeder(net.a, n, 1000));
            assertTrue(ok, "got " + net.b.received + " at t=" + (net.now / 1_000_000) + "ms " + net.a.conn.debugState() + " " + net.a.conn.counters + " | far: " + net.b.conn.debugState());
            System.out.println("sim: 10k frames through 20% loss + bursts in " + (net.now - 1_000_000_000L) / 1_000_000 + " ms virtual; "
                    + net.a.conn.counters);
            assertNull(net.b.error);
            assertTrue(net.b.seen.cardinality() == n);
        }
    }
}
