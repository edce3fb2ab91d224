package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Encodes/decodes the two handshake packets. INITIAL: header | len(2) | Noise message 1 | zero padding to
 * at least 1200 bytes (so the far's reply can never amplify). HANDSHAKE: header | len(2) | Noise message 2.
 * The Noise payload of message 1 is {@link #writeHello}: version(1) | unix millis(8) | max payload(2); message 2's
 * is the same hello followed by the far's announcement (opaque here, at most {@link #MAX_ANNOUNCEMENT} bytes).
 */
public final class HandshakePacket {
    public static final int MIN_INITIAL = 1200;
    public static final int HELLO_LENGTH = 11;
    /** Keeps the reply (header, length, hello, announcement, Noise overhead) under the 1200-byte INITIAL it answers. */
    public static final int MAX_ANNOUNCEMENT = 768;
    /** Message 1/2 must fit one datagram; anything longer is not a wanx handshake. */
    private static final int MAX_MESSAGE = 1024;
    private static final int MAX_TOKEN = 64;

    private HandshakePacket() { }

    public static ByteBuf encode(ByteBufAllocator alloc, int type, long cid, byte[] message) {
        return encode(alloc, type, cid, message, null);
    }

    /**
     * An INITIAL may carry a retry token after the Noise message: token length(2) | token, inside what is
     * otherwise zero padding (so an INITIAL without one reads as a zero-length token).
     */
    public static ByteBuf encode(ByteBufAllocator alloc, int type, long cid, byte[] message, byte[] token) {
        int tokenBytes = type == PacketHeader.TYPE_INITIAL && token != null ? 2 + token.length : 0;
        int total = PacketHeader.LENGTH + 2 + message.length + tokenBytes;
        if (type == PacketHeader.TYPE_INITIAL) {
            total = Math.max(total, MIN_INITIAL);
        }
        ByteBuf out = alloc.buffer(total);
        PacketHeader.write(out, type, cid, 0);
        out.writeShort(message.length);
        out.writeBytes(message);
        if (tokenBytes > 0) {
            out.writeShort(token.length).writeBytes(token);
        }
        out.writeZero(total - out.writerIndex());
        return out;
    }

    /** The retry token of an INITIAL (empty if none), or null if malformed. */
    public static byte[] initialToken(ByteBuf packet) {
        int start = packet.readerIndex();
        int n = packet.readableBytes();
        if (n < PacketHeader.LENGTH + 2) {
            return null;
        }
        int at = start + PacketHeader.LENGTH + 2 + packet.getUnsignedShort(start + PacketHeader.LENGTH);
        if (at + 2 > start + n) {
            return new byte[0];
        }
        int len = packet.getUnsignedShort(at);
        if (len > MAX_TOKEN || at + 2 + len > start + n) {
            return null;
        }
        byte[] t = new byte[len];
        packet.getBytes(at + 2, t);
        return t;
    }

    /** RETRY: header (packet number 0) | token length(2) | token. */
    public static ByteBuf encodeRetry(ByteBufAllocator alloc, long cid, byte[] token) {
        ByteBuf out = alloc.buffer(PacketHeader.LENGTH + 2 + token.length);
        PacketHeader.write(out, PacketHeader.TYPE_RETRY, cid, 0);
        return out.writeShort(token.length).writeBytes(token);
    }

    /** The token of a RETRY, or null if malformed. */
    public static byte[] retryToken(ByteBuf packet) {
        int start = packet.readerIndex();
        if (packet.readableBytes() < PacketHeader.LENGTH + 2) {
            return null;
        }
        int len = packet.getUnsignedShort(start + PacketHeader.LENGTH);
        if (len == 0 || len > MAX_TOKEN || packet.readableBytes() != PacketHeader.LENGTH + 2 + len) {
            return null;
        }
        byte[] t = new byte[len];
        packet.getBytes(start + PacketHeader.LENGTH + 2, t);
        return t;
    }

    /** The Noise message inside a handshake packet, or null if malformed (INITIAL shorter than 1200 is malformed). */
    public static byte[] message(ByteBuf packet, int type) {
        int start = packet.readerIndex();
        int n = packet.readableBytes();
        if (n < PacketHeader.LENGTH + 2 || (type == PacketHeader.TYPE_INITIAL && n < MIN_INITIAL)) {
            return null;
        }
        int len = packet.getUnsignedShort(start + PacketHeader.LENGTH);
        if (len == 0 || len > MAX_MESSAGE || len > n - PacketHeader.LENGTH - 2) {
            return null;
        }
        byte[] m = new byte[len];
        packet.getBytes(start + PacketHeader.LENGTH + 2, m);
        return m;
    }

    public static byte[] writeHello(long unixMillis, int maxPayload) {
        byte[] b = new byte[HELLO_LENGTH];
        b[0] = PacketHeader.VERSION;
        for (int i = 0; i < 8; i++) {
            b[1 + i] = (byte) (unixMillis >>> (56 - 8 * i));
        }
        // The top bits: an end from before them reads a larger max, which it caps by its own.
        int field = maxPayload | READS_FILLED | KEEPS_TAIL | READS_ACK_V | READS_SHORT | READS_WIDE_ROWS;
        b[9] = (byte) (field >>> 8);
        b[10] = (byte) field;
        return b;
    }

    /** Top bit of the hello's max-payload field: this end reads FILLED frames. */
    static final int READS_FILLED = 0x8000;
    /** Next bit: this end keeps its last {@link TailParity#SLOTS} datagrams, so a bulk run's tail may get parity. */
    static final int KEEPS_TAIL = 0x4000;

    /** Next bit: this end reads ACK_V frames. An end from before it reads a max payload 8192 larger, capped by its own. */
    static final int READS_ACK_V = 0x2000;

    /**
     * Next bit: this end reads SHORT packets (4-byte packet numbers) and DATA_V frames. An end from before it reads a
     * max payload 4096 larger, capped by its own.
     */
    static final int READS_SHORT = 0x1000;

    /**
     * Next bit: this end takes parity rows 3-7 (REPAIR row field bits 5-7; {@link Fec#MAX_ROWS}). An end from before
     * it reads a max payload 2048 larger, capped by its own; the max is the low 11 bits.
     */
    static final int READS_WIDE_ROWS = 0x0800;

    /** Whether the hello's sender takes parity rows above 2 (older ends ignore them: they would be wasted). */
    public static boolean helloReadsWideRows(byte[] hello) {
        return helloBit(hello, READS_WIDE_ROWS);
    }

    /** Whether the hello's sender reads SHORT packets and DATA_V frames (older ends drop SHORT packets unread). */
    public static boolean helloReadsShort(byte[] hello) {
        return helloBit(hello, READS_SHORT);
    }

    /** Whether the hello's sender reads ACK_V frames (older ends would drop a packet holding one as malformed). */
    public static boolean helloReadsAckV(byte[] hello) {
        return helloBit(hello, READS_ACK_V);
    }

    /** Whether the hello's sender keeps {@link TailParity#SLOTS} datagrams for parity (older ends keep 256). */
    public static boolean helloKeepsTail(byte[] hello) {
        return helloBit(hello, KEEPS_TAIL);
    }

    /** Whether the hello's sender reads FILLED frames (older ends would drop a packet holding one as malformed). */
    public static boolean helloReadsFilled(byte[] hello) {
        return helloBit(hello, READS_FILLED);
    }

    /** Whether a hello of this version sets {@code bit} of its max-payload field (bytes 9-10, as writeHello puts them). */
    private static boolean helloBit(byte[] hello, int bit) {
        return hello.length >= HELLO_LENGTH && hello[0] == PacketHeader.VERSION && ((hello[9] & 0xff) << 8 & bit) != 0;
    }

    /** A hello followed by an announcement (empty if it is longer than {@link #MAX_ANNOUNCEMENT}: never amplify). */
    public static byte[] writeHello(long unixMillis, int maxPayload, byte[] announcement) {
        byte[] hello = writeHello(unixMillis, maxPayload);
        if (announcement == null || announcement.length == 0 || announcement.length > MAX_ANNOUNCEMENT) {
            return hello;
        }
        byte[] b = java.util.Arrays.copyOf(hello, HELLO_LENGTH + announcement.length);
        System.arraycopy(announcement, 0, b, HELLO_LENGTH, announcement.length);
        return b;
    }

    /** What follows the hello (empty when nothing does). */
    public static byte[] announcement(byte[] hello) {
        return hello.length <= HELLO_LENGTH ? new byte[0] : java.util.Arrays.copyOfRange(hello, HELLO_LENGTH, hello.length);
    }

    /**
     * The largest payload the hello's sender takes in (what path-MTU probing may reach), or the base 1200 when the
     * hello is too short or says less (never probe a peer that did not say it takes more).
     */
    public static int helloMaxPayload(byte[] hello) {
        if (hello.length < HELLO_LENGTH || hello[0] != PacketHeader.VERSION) {
            return 1200;
        }
        return Math.max(1200, ((hello[9] & 0x07) << 8) | (hello[10] & 0xff));
    }

    /** Unix millis in a hello, or -1 if it is not a hello of this version. */
    public static long helloTime(byte[] hello) {
        if (hello.length < HELLO_LENGTH || hello[0] != PacketHeader.VERSION) {
            return -1;
        }
        long t = 0;
        for (int i = 0; i < 8; i++) {
            t = (t << 8) | (hello[1 + i] & 0xff);
        }
        return t;
    }
}
