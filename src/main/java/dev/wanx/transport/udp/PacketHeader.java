package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;

/**
 * Flyweight over the clear-text header that starts every wanx UDP packet. The only place the header is
 * encoded or decoded. Layout (big-endian): flags(1) = version(high 4 bits) | type(low 4 bits),
 * connection id(8), packet number(8) — or, in a SHORT packet (DATA to a peer whose hello reads it), the packet
 * number's low 32 bits(4), which the receiver expands against the largest it has received (as QUIC does). The whole
 * header is the AEAD's associated data, so a flipped bit in it makes the packet fail authentication.
 */
public final class PacketHeader {
    public static final int VERSION = 1;
    public static final int TYPE_INITIAL = 1;   // near -> far, handshake message 1, padded
    public static final int TYPE_HANDSHAKE = 2; // far -> near, handshake message 2
    public static final int TYPE_DATA = 3;      // 1-RTT protected frames
    public static final int TYPE_REPAIR = 4;    // XOR of a group of DATA packets (see Fec); packet number = the group's first
    public static final int TYPE_RETRY = 5;     // far -> near under load: a token to echo in the next INITIAL (see RetryTokens)
    public static final int TYPE_SHORT = 6;     // DATA with a 4-byte truncated packet number
    public static final int LENGTH = 17;
    public static final int SHORT_LENGTH = 13;
    /** Bytes a SHORT header leaves to the payload of a datagram of the same size. */
    public static final int SHORT_SAVING = LENGTH - SHORT_LENGTH;

    private ByteBuf buf;
    private int offset;

    /** Points this flyweight at a packet; returns false (and the flyweight must not be used) if it cannot be a wanx packet. */
    public boolean wrap(ByteBuf buf) {
        this.buf = buf;
        this.offset = buf.readerIndex();
        if (buf.readableBytes() < SHORT_LENGTH) {
            return false;
        }
        int flags = buf.getUnsignedByte(offset);
        int t = flags & 0x0f;
        if ((flags >>> 4) != VERSION || t < TYPE_INITIAL || t > TYPE_SHORT) {
            return false;
        }
        return t == TYPE_SHORT || buf.readableBytes() >= LENGTH;
    }

    public int type() { return buf.getUnsignedByte(offset) & 0x0f; }

    /** A packet of protected frames, in either header form. */
    public boolean isData() {
        int t = type();
        return t == TYPE_DATA || t == TYPE_SHORT;
    }

    /** Bytes of this packet's header (the AEAD's associated data). */
    public int length() { return type() == TYPE_SHORT ? SHORT_LENGTH : LENGTH; }

    public long connectionId() { return buf.getLong(offset + 1); }

    /**
     * The packet number: in a SHORT packet expanded from its low 32 bits to the number nearest the one after
     * {@code largestReceived} (-1: none yet), RFC 9000 appendix A.3.
     */
    public long packetNumber(long largestReceived) {
        if (type() != TYPE_SHORT) {
            return buf.getLong(offset + 9);
        }
        return expand(largestReceived, buf.getUnsignedInt(offset + 9));
    }

    static long expand(long largestReceived, long truncated) {
        final long win = 1L << 32;
        final long half = win / 2;
        long expected = largestReceived + 1;
        long candidate = (expected & ~(win - 1)) | truncated;
        if (candidate <= expected - half && candidate < (1L << 62) - win) {
            return candidate + win;
        }
        if (candidate > expected + half && candidate >= win) {
            return candidate - win;
        }
        return candidate;
    }

    public static void write(ByteBuf out, int type, long connectionId, long packetNumber) {
        out.writeByte((VERSION << 4) | type);
        out.writeLong(connectionId);
        out.writeLong(packetNumber);
    }

    /** A SHORT header: the packet number's low 32 bits. */
    public static void writeShort(ByteBuf out, long connectionId, long packetNumber) {
        out.writeByte((VERSION << 4) | TYPE_SHORT);
        out.writeLong(connectionId);
        out.writeInt((int) packetNumber);
    }
}
