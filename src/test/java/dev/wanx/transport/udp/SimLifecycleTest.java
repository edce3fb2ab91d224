package dev.wanx.transport.udp;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keepalive, idle timeout, graceful close and backpressure, in virtual time. */
class SimLifecycleTest {
    static final long S = 1_000_000_000L;

    private static SimNet clean() {
        return new SimNet(5, 0, 0, 0, 20_000_000L, 0, 0, 0, 0, UdpOptions.defaults());
    }

    @Test
    void keepaliveHoldsAnIdleConnectionOpenAndIdleTimeoutClosesADeadOne() {
        SimNet net = clean();
        try (net) {
            net.runUntil(() -> net.a.closed || net.b.closed, 120 * S, () -> { });
            assertFalse(net.a.closed || net.b.closed, "PINGs every 5 s keep an idle connection alive past the 30 s idle timeout");
            assertTrue(net.a.conn.counters.packetsSent >= 20, "keepalives were sent: " + net.a.conn.counters);
            net.blackhole = true;
            long t0 = net.now;
            net.runUntil(() -> net.a.closed && net.b.closed, 60 * S, () -> { });
            assertTrue(net.a.closed && net.b.closed);
            assertTrue(net.now - t0 <= 31 * S, "closed within the idle timeout");
            assertTrue(net.a.closeCause.getMessage().contains("idle timeout"), net.a.closeCause.getMessage());
        }
    }

    /** After a lossy transfer the ends go quiet: no ACK asks the other for an ACK while there is nothing to say. */
    @Test
    void idleEndsAfterALossyTransferSendNothingUntilTheKeepalive() {
        SimNet net = new SimNet(5, 0.02, 0, 0, 20_000_000L, 0, 0, 0, 0, UdpOptions.defaults());
        try (net) {
            Runnable feed = net.feeder(net.a, 2000, 1000);
            assertTrue(net.runUntil(() -> net.b.received == 2000, 60 * S, feed));
            net.runUntil(() -> false, S, () -> { }); // losses repaired, last ACKs out
            long a = net.a.conn.counters.packetsSent;
            long b = net.b.conn.counters.packetsSent;
            net.runUntil(() -> false, 2 * S, () -> { }); // well short of the 5 s keepalive
            assertEquals(a, net.a.conn.counters.packetsSent, "A silent: " + net.a.conn.counters);
            assertEquals(b, net.b.conn.counters.packetsSent, "B silent: " + net.b.conn.counters);
        }
    }

    @Test
    void gracefulCloseReachesThePeerAndFreesFrames() {
        SimNet net = clean();
        try (net) {
            for (int i = 0; i < 100; i++) {
                net.a.conn.send(Unpooled.buffer(1000).writeInt(i).writeZero(996));
            }
            net.a.conn.close("done", net.now);
            assertTrue(net.a.closed);
            assertNull(net.a.closeCause, "a local close is not an error");
            net.runUntil(() -> net.b.closed, 5 * S, () -> { });
            assertTrue(net.b.closeCause.getMessage().contains("peer closed the connection: done"));
            assertThrows(IllegalStateException.class, () -> net.a.conn.send(Unpooled.buffer(1).writeByte(1)));
            // paranoid leak detection (surefire argLine) reports any of the 100 queued frames not released
        }
    }

    @Test
    void aCloseFromANewAddressEndsTheConnectionWithoutAPathChallenge() {
        SimNet net = clean();
        try (net) {
            assertTrue(net.runUntil(() -> net.b.received == 100, 5 * S, net.feeder(net.a, 100, 1000)));
            net.a.self = new java.net.InetSocketAddress("10.0.0.9", 1001); // the near's NAT rebound as it closed
            net.a.conn.close("done", net.now);
            net.runUntil(() -> net.b.closed, 5 * S, () -> { }); // threw on a released buffer before the receiver stopped at CLOSE
            assertTrue(net.b.closeCause.getMessage().contains("peer closed the connection: done"));
        }
    }

    @Test
    void sendQueueBoundMakesTheLinkUnwritableUntilItDrains() {
        SimNet net = clean();
        try (net) {
            int frame = net.a.conn.maxFrameSize();
            int i = 0;
            while (net.a.conn.isWritable()) {
                net.a.conn.send(Unpooled.buffer(frame).writeInt(i++).writeZero(frame - 4));
            }
            assertTrue((long) i * frame > UdpOptions.defaults().sendQueueHighWater(), "unwritable only past the bound: " + i);
            assertEquals(List.of(false), net.a.writabilityChanges);
            int sent = i;
            net.runUntil(() -> net.b.received == sent, 30 * S, () -> net.a.conn.flush(net.now));
            assertTrue(net.a.conn.isWritable());
            assertEquals(List.of(false, true), net.a.writabilityChanges);
            // a frame cut before the path shrank may exceed maxFrameSize (it is split or sent whole); above the largest, never
            int over = UdpOptions.defaults().largestPayload() + PacketHeader.SHORT_SAVING - Frames.DATA_V_OVERHEAD + 1;
            assertThrows(IllegalArgumentException.class, () -> net.a.conn.send(Unpooled.buffer(over).writeZero(over)),
                    "frames above the largest packet are refused");
        }
    }
}
