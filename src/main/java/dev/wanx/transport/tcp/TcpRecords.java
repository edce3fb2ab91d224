package dev.wanx.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Wire format of the TCP carrier (docs/PROTOCOL.md, "TCP carrier"). A record is u16 length + body; the
 * length prefix is added/removed by Netty's length-field codecs. Bodies:
 * <pre>
 * HELLO   (near→far, first record)  'W' 'X' | version u8 | Noise IK message 1
 * WELCOME (far→near, second record) Noise IK message 2
 * SEALED  (every later record)      AEAD(counter = records sent so far in this direction) of: kind u8 | body
 *         kind 0 = session frame, 1 = ping, 2 = pong
 * </pre>
 * Handshake payloads (inside Noise, so encrypted): HELLO's = timestamp u64 (ns since epoch, for the replay
 * guard) | version u8; WELCOME's = version u8 | the far's announcement (opaque here, see discovery; may be empty).
 */
final class TcpRecords {
    static final int MAGIC0 = 'W', MAGIC1 = 'X';
    static final int VERSION = 1;
    static final int KIND_FRAME = 0, KIND_PING = 1, KIND_PONG = 2;
    static final int TAG = 16;
    /** Largest session frame in one record; keeps the record under the u16 length. */
    static final int MAX_FRAME = 16 * 1024;
    static final int MAX_RECORD = 65535;
    static final byte[] PROLOGUE = "wanx tcp carrier v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private TcpRecords() { }

    static ByteBuf hello(ByteBufAllocator alloc, byte[] noiseMessage1) {
        return alloc.buffer(3 + noiseMessage1.length).writeByte(MAGIC0).writeByte(MAGIC1).writeByte(VERSION).writeBytes(noiseMessage1);
    }

    /** Returns Noise message 1 from a HELLO body, or null if it is not a HELLO this version speaks. */
    static byte[] parseHello(ByteBuf body) {
        if (body.readableBytes() < 3 + 32) return null;
        int i = body.readerIndex();
        if (body.getUnsignedByte(i) != MAGIC0 || body.getUnsignedByte(i + 1) != MAGIC1 || body.getUnsignedByte(i + 2) != VERSION) return null;
        byte[] m = new byte[body.readableBytes() - 3];
        body.getBytes(i + 3, m);
        return m;
    }

    static byte[] helloPayload(long timestampNanos) {
        return java.nio.ByteBuffer.allocate(9).putLong(timestampNanos).put((byte) VERSION).array();
    }

    static long helloTimestamp(byte[] payload) {
        if (payload.length < 9) return -1;
        return java.nio.ByteBuffer.wrap(payload).getLong();
    }

    static byte[] welcomePayload(byte[] announcement) {
        int n = announcement == null ? 0 : announcement.length;
        byte[] b = new byte[1 + n];
        b[0] = (byte) VERSION;
        if (n > 0) System.arraycopy(announcement, 0, b, 1, n);
        return b;
    }

    /** The announcement in a WELCOME payload (empty if none). */
    static byte[] welcomeAnnouncement(byte[] payload) {
        return payload.length <= 1 ? new byte[0] : java.util.Arrays.copyOfRange(payload, 1, payload.length);
    }
}
