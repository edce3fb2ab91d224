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

    /**
     * Each end's packets take the forms the other's hello says it reads: ACK_V, SHORT headers and DATA_V frames to a
     * current end, ACK, long headers and DATA to an older one; every frame arrives either way.
     */
    @Test
    void packetsFollowTheHello() {
        for (int older : new int[] {0, 0x20, 0x10}) { // a current end, one from before ACK_V, one from before SHORT
            SimNet net = new SimNet(4, 0.01, 0.001, 50, 2_000_000L, 4_000_000L, 0, 0, 0, UdpOptions.defaults(), true);
            try (net) {
                byte[] hello = HandshakePacket.writeHello(1, 1200); // 1200: no path-MTU probing in this test
                hello[9] &= ~older;
                net.a.conn.peerHello(hello);
                net.b.conn.peerHello(hello);
                int[] fromB = new int[256];
                int[] fromA = new int[256];
                int[] headers = new int[16];
                net.observeFromB = d -> fromB[firstFrame(d)]++;
                net.observeFromA = d -> {
                    headers[d.getByte(d.readerIndex()) & 0x0f]++;
                    fromA[firstFrame(d)]++;
                };
                int n = 2_000;
                assertTrue(net.runUntil(() -> net.b.received == n, 60_000_000_000L, net.feeder(net.a, n, 1000)));
                boolean ackV = older != 0x20;
                boolean isShort = older != 0x10;
                assertTrue(fromB[ackV ? Frames.ACK_V : Frames.ACK] > 100, "ACKs as the hello says");
                assertEquals(0, fromB[ackV ? Frames.ACK : Frames.ACK_V], "no ACK in the other form");
                assertTrue(fromA[isShort ? Frames.DATA_V : Frames.DATA] > 100, "DATA as the hello says");
                assertEquals(0, fromA[isShort ? Frames.DATA : Frames.DATA_V], "no DATA in the other form");
                assertTrue(headers[isShort ? PacketHeader.TYPE_SHORT : PacketHeader.TYPE_DATA] > 100, "headers as the hello says");
                assertEquals(0, headers[isShort ? PacketHeader.TYPE_DATA : PacketHeader.TYPE_SHORT], "no header in the other form");
            }
        }
    }

    /** The type of a plaintext packet's first frame after any FILLED, or 0 (PADDING) for a packet that is not DATA. */
    private static int firstFrame(io.netty.buffer.ByteBuf d) {
        PacketHeader h = new PacketHeader();
        if (!h.wrap(d) || !h.isData()) return 0;
        int at = d.readerIndex() + h.length();
        if (d.getUnsignedByte(at) == Frames.FILLED) at += Frames.filledSize(d.getUnsignedByte(at + 1));
        return d.getUnsignedByte(at);
    }
}
