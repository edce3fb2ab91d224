package dev.wanx.transport.udp;

import dev.wanx.crypto.X25519KeyPair;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodecTest {
    static final class Rec implements Frames.Visitor {
        final List<String> seen = new ArrayList<>();

        public void onPing() { seen.add("ping"); }

        public void onAck(AckFrame a) {
            StringBuilder b = new StringBuilder("ack " + a.largest + " d" + a.ackDelayMicros + " t" + a.receiveTimeMicros);
            for (int i = 0; i < a.rangeCount; i++) {
                b.append(' ').append(a.starts[i]).append('-').append(a.ends[i]);
            }
            seen.add(b.toString());
        }

        public void onData(long id, ByteBuf d) { seen.add("data " + id + " " + d.toString(java.nio.charset.StandardCharsets.UTF_8)); }

        public void onClose(int code, String reason) { seen.add("close " + code + " " + reason); }

        public void onPathChallenge(long t) { seen.add("challenge " + t); }

        public void onPathResponse(long t) { seen.add("response " + t); }

        public void onFilled(long pn) { seen.add("filled " + pn); }
    }

    private static ByteBuf allFrames() {
        ByteBuf b = Unpooled.buffer();
        Frames.writePing(b);
        Frames.writeAck(b, 1500, 99, new long[] {90, 50, 0}, new long[] {100, 80, 40}, 3);
        Frames.writeData(b, 7, Unpooled.copiedBuffer("hello", java.nio.charset.StandardCharsets.UTF_8));
        // every varint length: 1, 2, 4 and 8 bytes
        Frames.writeAckV(b, 70_000, 1L << 31, new long[] {(1L << 40) - 10, 300, 0}, new long[] {1L << 40, 16_000, 200}, 3);
        Frames.writePathChallenge(b, -5);
        Frames.writePathResponse(b, 6);
        Frames.writeFilled(b, new long[] {17, 23}, 2);
        Frames.writeClose(b, 3, "bye");
        Frames.writePadding(b, 4);
        return b;
    }

    @Test
    void framesRoundTrip() {
        Rec r = new Rec();
        assertTrue(Frames.decode(allFrames(), new AckFrame(), r));
        assertEquals(List.of("ping", "ack 100 d1500 t99 90-100 50-80 0-40", "data 7 hello",
                "ack 1099511627776 d70000 t2147483648 1099511627766-1099511627776 300-16000 0-200", "challenge -5", "response 6", "filled 17",
                "filled 23", "close 3 bye"), r.seen);
    }

    @Test
    void malformedFilledRejected() {
        for (int count : new int[] {0, Frames.MAX_FILLED + 1}) {
            ByteBuf b = Unpooled.buffer().writeByte(Frames.FILLED).writeByte(count);
            for (int i = 0; i < count; i++) b.writeLong(i);
            assertFalse(Frames.decode(b, new AckFrame(), new Rec()), "count " + count);
        }
        ByteBuf neg = Unpooled.buffer();
        Frames.writeFilled(neg, new long[] {4, -1}, 2);
        assertFalse(Frames.decode(neg, new AckFrame(), new Rec()));
        assertFalse(Frames.isAckEliciting(Frames.FILLED), "a report, like an ACK: never acked by itself");
    }

    @Test
    void everyTruncationIsRejectedOrHarmless() {
        ByteBuf full = allFrames();
        for (int n = 0; n < full.readableBytes(); n++) {
            Rec r = new Rec();
            boolean ok = Frames.decode(full.slice(0, n), new AckFrame(), r); // must not throw
            if (!ok) {
                assertTrue(r.seen.isEmpty(), "a rejected payload must have no side effects");
            }
        }
    }

    @Test
    void garbageNeverThrows() {
        Random rnd = new Random(1);
        for (int i = 0; i < 20_000; i++) {
            byte[] g = new byte[rnd.nextInt(300)];
            rnd.nextBytes(g);
            Frames.decode(Unpooled.wrappedBuffer(g), new AckFrame(), new Rec());
            PacketHeader h = new PacketHeader();
            h.wrap(Unpooled.wrappedBuffer(g));
            HandshakePacket.message(Unpooled.wrappedBuffer(g), PacketHeader.TYPE_INITIAL);
            HandshakePacket.message(Unpooled.wrappedBuffer(g), PacketHeader.TYPE_HANDSHAKE);
        }
    }

    @Test
    void malformedAckRangesRejected() {
        ByteBuf b = Unpooled.buffer();
        Frames.writeAck(b, 0, 0, new long[] {10, 5}, new long[] {12, 9}, 2); // gap of 1: ranges touch, invalid
        assertFalse(Frames.decode(b, new AckFrame(), new Rec()));
        ByteBuf neg = Unpooled.buffer();
        Frames.writeAck(neg, 0, 0, new long[] {-3}, new long[] {2}, 1); // below zero
        assertFalse(Frames.decode(neg, new AckFrame(), new Rec()));
    }

    @Test
    void malformedAckVRejectedAndItsShorterThanAck() {
        ByteBuf below = Unpooled.buffer();
        Frames.writeAckV(below, 0, 0, new long[] {10, 5}, new long[] {12, 8}, 2);
        below.setByte(below.writerIndex() - 2, 60); // the gap now reaches below packet 0
        assertFalse(Frames.decode(below, new AckFrame(), new Rec()));
        ByteBuf zero = Unpooled.buffer().writeByte(Frames.ACK_V).writeByte(5).writeByte(0).writeByte(0).writeByte(0).writeByte(0);
        assertFalse(Frames.decode(zero, new AckFrame(), new Rec()), "no ranges");
        assertFalse(Frames.isAckEliciting(Frames.ACK_V));
        // an ACK as a receiver at 1 % loss writes it: 7 ranges of a few hundred packets, largest near a million
        long[] st = new long[7];
        long[] en = new long[7];
        for (int i = 0; i < 7; i++) {
            en[i] = 1_000_000 - 100L * i;
            st[i] = en[i] - 97;
        }
        ByteBuf plain = Unpooled.buffer();
        ByteBuf compact = Unpooled.buffer();
        Frames.writeAck(plain, 3_000, 12_345_678, st, en, 7);
        Frames.writeAckV(compact, 3_000, 12_345_678, st, en, 7);
        assertEquals(126, plain.readableBytes());
        assertEquals(32, compact.readableBytes());
        Rec a = new Rec();
        Rec b = new Rec();
        assertTrue(Frames.decode(plain, new AckFrame(), a));
        assertTrue(Frames.decode(compact, new AckFrame(), b));
        assertEquals(a.seen, b.seen);
    }

    @Test
    void helloBitsLeaveTheMaxPayloadAlone() {
        byte[] hello = HandshakePacket.writeHello(1, 1399);
        assertEquals(1399, HandshakePacket.helloMaxPayload(hello));
        assertTrue(HandshakePacket.helloReadsAckV(hello));
        assertTrue(HandshakePacket.helloReadsFilled(hello));
        assertTrue(HandshakePacket.helloKeepsTail(hello));
        assertTrue(HandshakePacket.helloReadsShort(hello));
        hello[9] &= ~0x20; // an end from before ACK_V
        assertFalse(HandshakePacket.helloReadsAckV(hello));
        assertEquals(1399, HandshakePacket.helloMaxPayload(hello));
        hello[9] &= ~0x10; // an end from before SHORT
        assertFalse(HandshakePacket.helloReadsShort(hello));
        assertEquals(1399, HandshakePacket.helloMaxPayload(hello));
    }

    /** DATA_V carries what DATA does in 4 bytes fewer while ids are below 2^30; above, DATA goes instead. */
    @Test
    void dataVRoundTripAndRejects() {
        long[] ids = {0, 63, 64, 16383, 16384, Frames.DATA_V_IDS - 1, Frames.DATA_V_IDS, Long.MAX_VALUE};
        ByteBuf b = Unpooled.buffer();
        List<String> want = new ArrayList<>();
        for (long id : ids) {
            int before = b.writerIndex();
            Frames.writeData(b, id, Unpooled.copiedBuffer("x" + id, java.nio.charset.StandardCharsets.UTF_8), true);
            boolean v = id < Frames.DATA_V_IDS;
            assertEquals(v ? Frames.DATA_V : Frames.DATA, b.getUnsignedByte(before));
            assertEquals(Frames.dataOverhead(true, id) + ("x" + id).length(), b.writerIndex() - before);
            assertEquals(v ? Frames.DATA_V_OVERHEAD : Frames.DATA_OVERHEAD, Frames.dataOverhead(true, id));
            assertEquals(Frames.DATA_OVERHEAD, Frames.dataOverhead(false, id));
            want.add("data " + id + " x" + id);
        }
        Rec r = new Rec();
        assertTrue(Frames.decode(b, new AckFrame(), r));
        assertEquals(want, r.seen);
        for (int n = 1; n < b.readableBytes(); n++) { // every cut: rejected whole, or a prefix of whole frames
            Rec cut = new Rec();
            if (!Frames.decode(b.slice(0, n), new AckFrame(), cut)) assertTrue(cut.seen.isEmpty());
            else assertEquals(want.subList(0, cut.seen.size()), cut.seen);
        }
        // a reader takes every varint form of the id, and refuses an empty DATA_V as it refuses an empty DATA
        ByteBuf oneByte = Unpooled.buffer().writeByte(Frames.DATA_V).writeByte(5).writeShort(1).writeByte('z');
        Rec one = new Rec();
        assertTrue(Frames.decode(oneByte, new AckFrame(), one));
        assertEquals(List.of("data 5 z"), one.seen);
        ByteBuf empty = Unpooled.buffer().writeByte(Frames.DATA_V).writeByte(5).writeShort(0);
        assertFalse(Frames.decode(empty, new AckFrame(), new Rec()));
        assertTrue(Frames.isAckEliciting(Frames.DATA_V));
    }

    /** A SHORT header: 13 bytes, its 32-bit packet number expanded to the one nearest the next expected. */
    @Test
    void shortHeaderRoundTripAndExpansion() {
        long[][] cases = { // largest received, packet number sent
            {-1, 0}, {-1, 5}, {41, 42}, {(1L << 32) - 3, (1L << 32) + 5}, {(1L << 32) + 10, (1L << 32) - 2},
            {(5L << 32) + 7, (5L << 32) - 1000}, {(5L << 32) - 7, (5L << 32) + 1000}, {1000, 10}, {(1L << 40), (1L << 40) + (1L << 30)},
        };
        PacketHeader h = new PacketHeader();
        for (long[] c : cases) {
            ByteBuf b = Unpooled.buffer();
            PacketHeader.writeShort(b, 0x1122334455667788L, c[1]);
            assertEquals(PacketHeader.SHORT_LENGTH, b.readableBytes());
            assertTrue(h.wrap(b));
            assertTrue(h.isData());
            assertEquals(PacketHeader.TYPE_SHORT, h.type());
            assertEquals(PacketHeader.SHORT_LENGTH, h.length());
            assertEquals(0x1122334455667788L, h.connectionId());
            assertEquals(c[1], h.packetNumber(c[0]), "largest " + c[0]);
            assertFalse(h.wrap(b.slice(0, PacketHeader.SHORT_LENGTH - 1)), "truncated header");
        }
        ByteBuf longOne = Unpooled.buffer();
        PacketHeader.write(longOne, PacketHeader.TYPE_DATA, 1, 1L << 40);
        assertTrue(h.wrap(longOne));
        assertEquals(PacketHeader.LENGTH, h.length());
        assertEquals(1L << 40, h.packetNumber(3), "a long header's number is taken as it is");
        assertFalse(h.wrap(longOne.slice(0, PacketHeader.SHORT_LENGTH)), "a long header cut to a short one's length");
    }

    @Test
    void headerRoundTripAndRejects() {
        ByteBuf b = Unpooled.buffer();
        PacketHeader.write(b, PacketHeader.TYPE_DATA, 0x1122334455667788L, 42);
        PacketHeader h = new PacketHeader();
        assertTrue(h.wrap(b));
        assertEquals(PacketHeader.TYPE_DATA, h.type());
        assertEquals(0x1122334455667788L, h.connectionId());
        assertEquals(42, h.packetNumber(-1));
        assertFalse(h.wrap(b.slice(0, 16)), "truncated header");
        b.setByte(0, 0x23); // version 2
        assertFalse(h.wrap(b), "unknown version");
        b.setByte(0, 0x1f);
        assertFalse(h.wrap(b), "unknown type");
    }

    @Test
    void handshakePacketsPadAndParse() {
        byte[] msg = new byte[130];
        new Random(2).nextBytes(msg);
        ByteBuf ini = HandshakePacket.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, PacketHeader.TYPE_INITIAL, 9, msg);
        assertTrue(ini.readableBytes() >= 1200, "first packet padded against amplification");
        assertArrayEquals(msg, HandshakePacket.message(ini, PacketHeader.TYPE_INITIAL));
        assertNull(HandshakePacket.message(ini.slice(0, 1199), PacketHeader.TYPE_INITIAL), "short INITIAL rejected");
        ByteBuf hs = HandshakePacket.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, PacketHeader.TYPE_HANDSHAKE, 9, msg);
        assertArrayEquals(msg, HandshakePacket.message(hs, PacketHeader.TYPE_HANDSHAKE));
        assertNull(HandshakePacket.message(hs.slice(0, hs.readableBytes() - 1), PacketHeader.TYPE_HANDSHAKE));
        assertEquals(1234567L, HandshakePacket.helloTime(HandshakePacket.writeHello(1234567L, 1200)));
        ini.release();
        hs.release();
    }

    @Test
    void aeadRejectsTamperingAndWrongCounter() {
        byte[] k = new byte[32];
        AeadPacketCipher a = new AeadPacketCipher(k);
        AeadPacketCipher b = new AeadPacketCipher(k);
        ByteBuf aad = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
        ByteBuf ct = Unpooled.buffer();
        a.seal(5, aad, Unpooled.wrappedBuffer("secret".getBytes()), ct);
        ByteBuf out = Unpooled.buffer();
        assertTrue(b.open(5, aad, ct.duplicate(), out));
        assertEquals("secret", out.toString(java.nio.charset.StandardCharsets.US_ASCII));
        assertFalse(b.open(6, aad, ct.duplicate(), Unpooled.buffer()), "wrong packet number");
        assertFalse(b.open(5, Unpooled.wrappedBuffer(new byte[] {1, 2, 4}), ct.duplicate(), Unpooled.buffer()), "header changed");
        ct.setByte(0, ct.getByte(0) ^ 1);
        assertFalse(b.open(5, aad, ct.duplicate(), Unpooled.buffer()), "ciphertext changed");
        assertFalse(b.open(5, aad, Unpooled.buffer(3), Unpooled.buffer()), "shorter than a tag");
    }
}
