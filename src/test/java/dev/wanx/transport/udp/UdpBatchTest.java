package dev.wanx.transport.udp;

import dev.wanx.transport.FrameLink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Datagrams read in one batch are taken in first and answered once, at the batch's end (one flush, one ACK). */
class UdpBatchTest {
    private static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 1001);
    private static final InetSocketAddress B = new InetSocketAddress("127.0.0.1", 1002);

    /** The sender: a bare connection whose datagrams the test collects. */
    private static final class Sender implements UdpConnection.Io {
        final List<ByteBuf> out = new ArrayList<>();
        UdpConnection conn;

        @Override public void sendDatagram(ByteBuf d, InetSocketAddress to) { out.add(d); }
        @Override public void flushDatagrams() { }
        @Override public void onFrame(ByteBuf f) { f.release(); }
        @Override public void onWritabilityChanged(boolean w) { }
        @Override public void onClosed(Throwable cause) { }
    }

    /** Counts what reaches the socket: flushes and datagrams. */
    private static final class Wire extends ChannelOutboundHandlerAdapter {
        int flushes;
        int writes;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            writes++;
            ctx.write(msg, promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            flushes++;
            ctx.flush();
        }
    }

    @Test
    void inOrderBatchFlushesOnceWithOneAckAtItsEnd() {
        run(12, -1);
    }

    @Test
    void holeInBatchStillAckedByItsEnd() {
        run(8, 3);
    }

    /** Sends {@code n} packets from a bare connection to a link (dropping packet {@code skip}, if any) in one read batch. */
    private static void run(int n, int skip) {
        UdpOptions opts = UdpOptions.defaults();
        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        k2[0] = 1;
        long t0 = System.nanoTime();
        Sender s = new Sender();
        s.conn = new UdpConnection(7, new AeadPacketCipher(k1), new AeadPacketCipher(k2), opts, B, 10_000_000L,
                UnpooledByteBufAllocator.DEFAULT, s, t0, 1);
        s.conn.setFecAllowed(false); // no REPAIR packets: the batch is DATA only
        // Full frames, one per packet; the pacer lets ~4 out at a time, so time moves on until all n went.
        long t = t0;
        for (int i = 0; i < n; i++) {
            s.conn.send(Unpooled.buffer().writeZero(s.conn.maxFrameSize()));
        }
        while (s.out.size() < n) {
            s.conn.flush(t);
            t += 5_000_000L;
        }
        assertEquals(n, s.out.size(), "one packet per frame");

        Wire wire = new Wire();
        EmbeddedChannel ch = new EmbeddedChannel();
        UdpLink link = new UdpLink(ch.eventLoop(), ch, "a", null, l -> { });
        int[] frames = {0};
        link.attach(new UdpConnection(7, new AeadPacketCipher(k2), new AeadPacketCipher(k1), opts, A, 10_000_000L,
                ch.alloc(), link, UdpLink.now(), 2));
        link.setHandler(new FrameLink.Handler() {
            @Override public void onFrame(ByteBuf frame) {
                frame.release();
                frames[0]++;
                link.flush(); // as a session answering a frame at once: inside a batch it waits for the batch's end
            }
            @Override public void onWritabilityChanged(boolean writable) { }
            @Override public void onClosed(Throwable cause) { }
        });
        ch.pipeline().addLast(wire, new DatagramInbound(new DatagramInbound.Dispatcher() {
            @Override public void onDatagram(ByteBuf content, InetSocketAddress sender) { link.onDatagram(content, sender); }
            @Override public void endOfBatch() { link.endBatch(); }
        }, null));
        try {
            for (int i = 0; i < n; i++) {
                ByteBuf d = s.out.get(i);
                if (i == skip) {
                    d.release();
                } else {
                    ch.pipeline().fireChannelRead(new DatagramPacket(d, B, A));
                }
            }
            s.out.clear();
            int delivered = skip < 0 ? n : n - 1;
            assertEquals(delivered, frames[0]);
            assertEquals(0, wire.flushes, "nothing sent during the batch");
            assertEquals(0, wire.writes);
            ch.pipeline().fireChannelReadComplete();
            assertEquals(1, wire.flushes, "one flush at the end of the batch");
            assertEquals(1, wire.writes, "one ACK for the whole batch");
            DatagramPacket ack = ch.readOutbound();
            long inFlightBefore = s.conn.bytesInFlight();
            s.conn.onDatagram(ack.content(), B, t);
            ack.release();
            long lost = s.conn.counters.packetsLost;
            // The ACK covers every delivered packet: only the skipped one stays in flight (or is declared lost).
            long expected = skip < 0 ? 0 : inFlightBefore / n;
            assertTrue(s.conn.bytesInFlight() <= expected, "in flight after the ack: " + s.conn.bytesInFlight() + " lost " + lost);
            assertTrue(skip < 0 || s.conn.bytesInFlight() == expected || lost == 1);
        } finally {
            link.close("done");
            Object m;
            while ((m = ch.readOutbound()) != null) io.netty.util.ReferenceCountUtil.release(m);
            ch.finishAndReleaseAll();
            s.conn.close("done", t);
            for (ByteBuf d : s.out) d.release();
        }
    }
}
