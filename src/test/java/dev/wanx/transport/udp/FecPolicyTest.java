package dev.wanx.transport.udp;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** The near-side policy's fec = off stops parity on a connection, fec = auto lets it decide again. */
class FecPolicyTest {
    static final long S = 1_000_000_000L;
    static final long MS = 1_000_000L;

    @Test void fecOffSendsNoParityAutoSendsItAgain() {
        SimNet net = new SimNet(3, 0, 0, 0, 20 * MS, 0, 0, 12_500_000L, 1_250_000L, UdpOptions.defaults());
        try (net) {
            assertTrue(net.a.conn.fecWanted(), "an unknown path counts as lossy: parity would be sent");
            net.a.conn.setFecAllowed(false);
            for (int i = 0; i < 40; i++) net.a.conn.send(Unpooled.buffer(1000).writeInt(i).writeZero(996));
            net.a.conn.flush(net.now);
            assertTrue(net.runUntil(() -> net.b.received == 40, 10 * S, () -> { }));
            assertEquals(0, net.a.conn.counters.fecRepairsSent, "fec = off: no repair packets");
            net.runUntil(() -> false, S, () -> { }); // idle: the next packets start a new burst
            net.a.conn.setFecAllowed(true);
            for (int i = 0; i < 40; i++) net.a.conn.send(Unpooled.buffer(1000).writeInt(40 + i).writeZero(996));
            net.a.conn.flush(net.now);
            assertTrue(net.runUntil(() -> net.b.received == 80, 10 * S, () -> { }));
            assertTrue(net.a.conn.counters.fecRepairsSent > 0, "fec = auto: the burst is protected");
        }
    }

    /**
     * A bulk run that keeps the bottleneck's queue busy has most of its losses counted as congestion; 1 % of random
     * loss then read as ~0.2 % over all packets and parity stopped where short responses need it (a 100 KB fetch
     * after a bulk transfer). The quiet-time rate keeps it on.
     */
    @Test void randomLossBesideABusyQueueStillWantsParity() {
        SimNet net = new SimNet(5, 0.01, 0, 0, 50 * MS, 0, 0, 12_500_000L, 1_250_000L, UdpOptions.defaults());
        try (net) {
            int n = 8000;
            assertTrue(net.runUntil(() -> net.b.received >= n, 60 * S, net.feeder(net.a, n, 1000)));
            net.runUntil(() -> false, 300 * MS, () -> { });
            assertTrue(net.a.conn.counters.lostCongestion > net.a.conn.counters.lostRandom, "the bulk run overflowed the queue");
            assertTrue(net.a.conn.fecWanted(), "1 % random loss still wants parity after a bulk run: " + net.a.conn.counters);
            assertTrue(net.a.conn.parityRows() >= 2, "and more than one row");
        }
    }

    /** A lone packet on a path that reads 3 % of loss gets the rows a one-packet group needs, not a full group's. */
    @Test void aOnePacketMessageGetsAShortGroupsRows() {
        SimNet net = new SimNet(7, 0, 0, 0, 20 * MS, 0, 0, 12_500_000L, 1_250_000L, UdpOptions.defaults());
        try (net) {
            net.a.conn.expectLoss(0.03);
            int full = net.a.conn.parityRows();
            assertTrue(full >= 5, "3 % (path history) to a peer that takes wide rows: " + full);
            assertTrue(net.runUntil(() -> net.b.received == 1, 10 * S, net.feeder(net.a, 1, 200)));
            net.runUntil(() -> false, 200 * MS, () -> { });
            long repairs = net.a.conn.counters.fecRepairsSent;
            assertTrue(repairs >= 1 && repairs < full, "one packet, " + repairs + " repairs of a full group's " + full);
        }
    }
}
