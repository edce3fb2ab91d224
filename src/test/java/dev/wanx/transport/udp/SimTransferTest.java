package dev.wanx.transport.udp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    /** The receiver's ACKs take the form the sender's hello says it reads: ACK_V from a current end, ACK for an older one. */
    @Test
    void acksFollowTheHello() {
        for (boolean readsAckV : new boolean[] {true, false}) {
            SimNet net = new SimNet(4, 0.01, 0.001, 50, 2_000_000L, 4_000_000L, 0, 0, 0, UdpOptions.defaults(), true);
            try (net) {
                byte[] hello = HandshakePacket.writeHello(1, 1200); // 1200: no path-MTU probing in this test
                if (!readsAckV) hello[9] &= ~0x20;
                net.b.conn.peerHello(hello);
                int[] kinds = new int[256];
                net.observeFromB = d -> {
                    if ((d.getByte(d.readerIndex()) & 0x0f) == PacketHeader.TYPE_DATA) {
                        int at = d.readerIndex() + PacketHeader.LENGTH;
                        if (d.getUnsignedByte(at) == Frames.FILLED) at += Frames.filledSize(d.getUnsignedByte(at + 1));
                        kinds[d.getUnsignedByte(at)]++;
                    }
                };
                int n = 2_000;
                assertTrue(net.runUntil(() -> net.b.received == n, 60_000_000_000L, net.feeder(net.a, n, 1000)));
                int want = readsAckV ? Frames.ACK_V : Frames.ACK;
                int other = readsAckV ? Frames.ACK : Frames.ACK_V;
                assertTrue(kinds[want] > 100, "ACKs as " + want + ": " + kinds[want]);
                assertEquals(0, kinds[other], "none as " + other);
            }
        }
    }
}
