package dev.wanx.transport.udp;

import dev.wanx.transport.session.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Path-MTU probing on a simulated path with a size limit (virtual time, no sleeps). */
class SimPathMtuTest {
    private static final int HEADERS = PacketHeader.LENGTH + PacketCipher.TAG;

    /** Stream bytes as session DATA frames cut at the sender's current frame size; the receiver puts them back by offset. */
    private static final class Stream {
        final byte[] data;
        final byte[] got;
        final BitSet have;
        long sentOffset;
        int maxFrameSeen;

        Stream(int size, long seed) {
            data = new byte[size];
            new Random(seed).nextBytes(data);
            got = new byte[size];
            have = new BitSet(size);
        }

        Runnable feeder(SimNet net, UdpConnection c) {
            return () -> {
                while (sentOffset < data.length && c.isWritable()) {
                    int n = (int) Math.min(c.maxFrameSize() - Frame.DATA_HEADER, data.length - sentOffset);
                    ByteBuf f = Frame.dataHeader(UnpooledByteBufAllocator.DEFAULT, 1, sentOffset, sentOffset + n == data.length, n);
                    f.writeBytes(data, (int) sentOffset, n);
                    maxFrameSeen = Math.max(maxFrameSeen, f.readableBytes());
                    sentOffset += n;
                    c.send(f);
                }
                c.flush(net.now);
            };
        }

        void onFrame(ByteBuf f) {
            try {
                assertEquals(Frame.DATA, Frame.type(f));
                int off = (int) Frame.dataOffset(f);
                int n = f.readableBytes() - Frame.DATA_HEADER;
                f.getBytes(f.readerIndex() + Frame.DATA_HEADER, got, off, n);
                have.set(off, off + n);
            } finally {
                f.release();
            }
        }

        boolean complete() { return have.cardinality() == data.length; }
    }

    private static SimNet net(int pathMaxDatagram) {
        return net(pathMaxDatagram, 0);
    }

    private static SimNet net(int pathMaxDatagram, double loss) {
        // 50 ms RTT, 100 Mbit/s, random loss as given: else only the path's size limit drops anything
        SimNet net = new SimNet(11, loss, 0, 0, 25_000_000L, 0, 0, 12_500_000L, 1 << 20, UdpOptions.defaults());
        net.pathMaxDatagram = pathMaxDatagram;
        net.a.conn.peerMaxPayload(UdpOptions.MAX_PAYLOAD);
        net.b.conn.peerMaxPayload(UdpOptions.MAX_PAYLOAD);
        return net;
    }

    @Test
    void probesUpToWhatThePathCarriesThenSendsThatSize() {
        int pathMax = 1400; // below our largest datagram (1432): the first probe fails, the search narrows
        try (SimNet net = net(pathMax)) {
            Stream s = new Stream(16 << 20, 1);
            net.b.frameSink = s::onFrame;
            Runnable feed = s.feeder(net, net.a.conn);
            assertTrue(net.runUntil(() -> !net.a.conn.pathMtu().searching(), 10_000_000_000L, feed), "search: " + net.a.conn.pathMtu());
            assertTrue(s.sentOffset < s.data.length, "the search ended while data still flows");
            assertTrue(net.runUntil(s::complete, 60_000_000_000L, feed), "transfer: " + net.a.conn.debugState());
            assertArrayEquals(s.data, s.got);
            int payload = net.a.conn.pathMtu().current();
            // room for a REPAIR of a full group (REPAIR_FIXED bytes longer than its longest datagram)
            assertTrue(payload + HEADERS + Fec.REPAIR_FIXED <= pathMax
                    && payload + HEADERS + Fec.REPAIR_FIXED > pathMax - PathMtu.RESOLUTION,
                    "payload " + payload + " for a path of " + pathMax + "-byte datagrams");
            // a SHORT header and DATA_V frames give the frames 8 bytes more than the path's (long-header) payload
            assertEquals(payload + PacketHeader.SHORT_SAVING - Frames.DATA_V_OVERHEAD, s.maxFrameSeen, "frames grow with the packets");
            assertTrue(net.tooBig <= 3 * 6, "only probes were too big: " + net.tooBig + ", queue drops " + net.tailDrops + ": " + net.a.conn.counters + " B: " + net.b.conn.counters + " " + net.b.conn.pathMtu());
            assertTrue(net.tooBig > 0);
            assertTrue(net.a.conn.counters.packetsLost <= net.tailDrops,
                    "a probe too big is not a lost packet (" + net.tailDrops + " dropped by the queue): " + net.a.conn.counters);
        }
    }

    @Test
    void onANarrowerPathParityStillFits() {
        // A lossy path of 1400-byte datagrams: FEC is on, and its REPAIRs (longer than their groups' datagrams) must
        // fit the path the search found, or no hole is ever filled there.
        try (SimNet net = net(1400, 0.01)) {
            Stream first = new Stream(4 << 20, 3);
            net.b.frameSink = first::onFrame;
            Runnable feed = first.feeder(net, net.a.conn);
            assertTrue(net.runUntil(() -> !net.a.conn.pathMtu().searching(), 10_000_000_000L, feed), "search: " + net.a.conn.pathMtu());
            assertTrue(net.runUntil(first::complete, 60_000_000_000L, feed), "transfer: " + net.a.conn.debugState());
            // The next burst (a response after idle) gets parity: every REPAIR of it must fit the path.
            net.runUntil(() -> false, 500_000_000L, () -> net.a.conn.flush(net.now));
            int tooBigBefore = net.repairsTooBig;
            long repairsBefore = net.a.conn.counters.fecRepairsSent;
            Stream next = new Stream(1 << 20, 4);
            net.b.frameSink = next::onFrame;
            assertTrue(net.runUntil(next::complete, 60_000_000_000L, next.feeder(net, net.a.conn)), net.a.conn.debugState());
            assertArrayEquals(next.data, next.got);
            assertTrue(net.a.conn.counters.fecRepairsSent > repairsBefore, "the burst had parity: " + net.a.conn.counters);
            assertEquals(tooBigBefore, net.repairsTooBig, "no REPAIR too large for the path found");
        }
    }

    @Test
    void aPathOfFullSizeFramesIsFoundWithOneProbe() {
        try (SimNet net = net(Integer.MAX_VALUE)) {
            Stream s = new Stream(1 << 20, 2);
            net.b.frameSink = s::onFrame;
            assertTrue(net.runUntil(s::complete, 30_000_000_000L, s.feeder(net, net.a.conn)));
            assertEquals(UdpOptions.MAX_PAYLOAD, net.a.conn.pathMtu().current());
            assertEquals(1, net.a.conn.counters.pmtuProbes);
        }
    }

    @Test
    void aPathThatShrinksMidTransferLosesNothing() {
        try (SimNet net = net(Integer.MAX_VALUE)) {
            Stream s = new Stream(8 << 20, 3);
            net.b.frameSink = s::onFrame;
            net.a.conn.frameSplitter(Frame::split);
            Runnable feed = s.feeder(net, net.a.conn);
            // until the large packets flow and a good part has arrived
            assertTrue(net.runUntil(() -> s.have.cardinality() > (2 << 20), 30_000_000_000L, feed));
            assertEquals(UdpOptions.MAX_PAYLOAD, net.a.conn.pathMtu().current());
            net.pathMaxDatagram = new UdpOptions(1200, 1, 1, 1, 1, 1, 1, 1, 1, UdpOptions.BBR_LITE, null, 1, false, 1200).maxDatagram();
            assertTrue(net.runUntil(s::complete, 120_000_000_000L, feed), "after the shrink: " + net.a.conn.debugState() + " " + net.a.conn.counters);
            assertArrayEquals(s.data, s.got);
            assertEquals(1200, net.a.conn.pathMtu().current(), "back at the base on a path that carries no more");
        }
    }
}
