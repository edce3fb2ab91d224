package dev.wanx.transport.udp;

import dev.wanx.crypto.X25519KeyPair;

import dev.wanx.relay.NettyTransport;
import dev.wanx.transport.FrameLink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an attacker on the path or off it can and cannot do to the UDP carrier. */
class UdpSecurityTest {
    /** Counts every datagram an end receives. */
    static final class Counting implements DatagramFilter {
        final AtomicInteger n = new AtomicInteger();

        @Override
        public void filter(DatagramPacket p, Delivery d) {
            n.incrementAndGet();
            d.now(p);
        }
    }

    @Test
    void unauthorizedKeyGetsNoReplyAtAllAndAClearError() throws Exception {
        EventLoopGroup group = NettyTransport.group(1, "udp-sec");
        X25519KeyPair far = X25519KeyPair.generate(new java.security.SecureRandom());
        UdpServer server = UdpServer.bind(group, new InetSocketAddress("127.0.0.1", 0), far, k -> Optional.empty(),
                l -> { throw new AssertionError("no session for an unauthorized key"); }, UdpOptions.defaults());
        Counting nearIn = new Counting();
        try {
            UdpOptions o = UdpOptions.defaults().withHandshakeTimeoutMs(1200).withInboundFilter(() -> nearIn);
            ExecutionException e = assertThrows(ExecutionException.class, () -> UdpCarrier.connect(group, server.localAddress(),
                    X25519KeyPair.generate(new java.security.SecureRandom()), far.publicKey(), o).get(5, TimeUnit.SECONDS));
            assertInstanceOf(UdpCarrierException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("no handshake reply"), e.getCause().getMessage());
            assertEquals(0, nearIn.n.get(), "the far end must stay silent");
            assertTrue(server.silentDrops >= 3, "first flight re-sent and each one dropped: " + server.silentDrops);
        } finally {
            server.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void wrongFarKeyFailsWithinTimeout() throws Exception {
        EventLoopGroup group = NettyTransport.group(1, "udp-sec");
        X25519KeyPair far = X25519KeyPair.generate(new java.security.SecureRandom());
        UdpServer server = UdpServer.bind(group, new InetSocketAddress("127.0.0.1", 0), far, k -> Optional.of("x"), l -> { },
                UdpOptions.defaults());
        try {
            long t0 = System.nanoTime();
            assertThrows(ExecutionException.class, () -> UdpCarrier.connect(group, server.localAddress(), X25519KeyPair.generate(new java.security.SecureRandom()),
                    X25519KeyPair.generate(new java.security.SecureRandom()).publicKey(), UdpOptions.defaults().withHandshakeTimeoutMs(800)).get(5, TimeUnit.SECONDS));
            assertTrue(System.nanoTime() - t0 < 3_000_000_000L);
        } finally {
            server.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void retransmittedFirstPacketGetsTheSameReplyAndOneSession() throws Exception {
        EventLoopGroup group = NettyTransport.group(1, "udp-sec");
        X25519KeyPair far = X25519KeyPair.generate(new java.security.SecureRandom());
        X25519KeyPair near = X25519KeyPair.generate(new java.security.SecureRandom());
        AtomicInteger sessions = new AtomicInteger();
        UdpServer server = UdpServer.bind(group, new InetSocketAddress("127.0.0.1", 0), far, k -> Optional.of("near"),
                l -> sessions.incrementAndGet(), UdpOptions.defaults());
        try (DatagramSocket s = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(2000);
            dev.wanx.crypto.NoiseIK.Initiator ini = new dev.wanx.crypto.NoiseIK.Initiator(near, far.publicKey(), UdpServer.PROLOGUE,
                    new java.security.SecureRandom());
            ByteBuf initial = HandshakePacket.encode(UnpooledByteBufAllocator.DEFAULT, PacketHeader.TYPE_INITIAL, 77,
                    ini.writeMessage1(HandshakePacket.writeHello(System.currentTimeMillis(), 1200)));
            byte[] bytes = new byte[initial.readableBytes()];
            initial.getBytes(0, bytes);
            initial.release();
            byte[][] replies = new byte[2][];
            for (int i = 0; i < 2; i++) {
                s.send(new java.net.DatagramPacket(bytes, bytes.length, server.localAddress()));
                java.net.DatagramPacket r = new java.net.DatagramPacket(new byte[2048], 2048);
                s.receive(r);
                replies[i] = java.util.Arrays.copyOf(r.getData(), r.getLength());
                assertTrue(r.getLength() <= bytes.length, "reply never larger than what the unproven peer sent");
            }
            assertArrayEquals(replies[0], replies[1]);
            assertEquals(1, sessions.get());
            ByteBuf reply = Unpooled.wrappedBuffer(replies[0]);
            ini.readMessage2(HandshakePacket.message(reply, PacketHeader.TYPE_HANDSHAKE));
            reply.release();
            // the same first packet under a new connection id (a replay) gets silence
            ByteBuf replay = Unpooled.wrappedBuffer(bytes.clone());
            replay.setLong(1, 78);
            byte[] rb = new byte[replay.readableBytes()];
            replay.getBytes(0, rb);
            replay.release();
            s.send(new java.net.DatagramPacket(rb, rb.length, server.localAddress()));
            s.setSoTimeout(500);
            assertThrows(SocketTimeoutException.class, () -> s.receive(new java.net.DatagramPacket(new byte[2048], 2048)));
            assertEquals(1, sessions.get());
        } finally {
            server.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void forgedReplayedTruncatedAndGarbagePacketsAreDroppedAndCounted() throws Exception {
        List<byte[]> captured = new CopyOnWriteArrayList<>();
        DatagramFilter recorder = (p, d) -> {
            ByteBuf c = p.content();
            byte flags = c.getByte(c.readerIndex());
            if (captured.size() < 20 && c.readableBytes() > 100 && (flags == (byte) 0x13 || flags == (byte) 0x16)) { // DATA, long or SHORT
                byte[] b = new byte[c.readableBytes()];
                c.getBytes(c.readerIndex(), b);
                captured.add(b);
            }
            d.now(p);
        };
        UdpOptions farOpts = UdpOptions.defaults().withInboundFilter(() -> recorder);
        try (LinkPair p = new LinkPair(UdpOptions.defaults(), farOpts);
             DatagramSocket attacker = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            FrameLink far = p.farLink.get(5, TimeUnit.SECONDS);
            LinkPair.Sink sink = new LinkPair.Sink(2000);
            far.setHandler(sink);
            byte[] sent = LinkPair.pump(p.near, 2000, 500, 3);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (captured.size() < 10 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(captured.size() >= 10, "DATA packets to replay: " + captured.size());
            InetSocketAddress to = p.server.localAddress();
            Random rnd = new Random(9);
            int n = 0;
            for (byte[] c : captured) {
                attacker.send(new java.net.DatagramPacket(c, c.length, to)); // replay from another address
                byte[] forged = c.clone();
                forged[40] ^= 0x55; // flipped ciphertext bit
                attacker.send(new java.net.DatagramPacket(forged, forged.length, to));
                byte[] hdr = c.clone();
                // a packet number flipped to one not yet received (the header is authenticated): bit 16 of a SHORT
                // header's 32 bits, bit 32 of a long header's 64
                hdr[c[0] == (byte) 0x16 ? 10 : 12] ^= 1;
                attacker.send(new java.net.DatagramPacket(hdr, hdr.length, to));
                attacker.send(new java.net.DatagramPacket(c, 30, to)); // truncated
                byte[] junk = new byte[rnd.nextInt(1400) + 1];
                rnd.nextBytes(junk);
                attacker.send(new java.net.DatagramPacket(junk, junk.length, to));
                n++;
            }
            assertTrue(sink.done.await(20, TimeUnit.SECONDS), "transfer survives the attack");
            assertArrayEquals(sent, sink.sha());
            ConnectionCounters c = far.eventLoop().submit(() -> ((UdpLink) far).counters()).get();
            assertTrue(c.duplicatePackets >= n, "replays dropped by packet number: " + c);
            assertTrue(c.forgedPackets >= n, "a flipped header fails authentication (a flipped ciphertext under a number already seen is a duplicate): " + c);
            assertTrue(c.forgedPackets + c.malformedPackets + c.duplicatePackets >= 4L * n,
                    "every replayed, forged, header-flipped and truncated packet is dropped and counted: " + c);
            assertEquals(0, c.migrations, "a replay from another address must not move the path");
            assertTrue(p.server.silentDrops > 0, "garbage dropped silently");
        }
    }
}
