package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;

/**
 * Flyweight over the clear-text header that starts every wanx UDP packet. The only place the header is
 * encoded or decoded. Layout (big-endian): flags(1) = version(high 4 bits) | type(low 4 bits),
 * connection id(8), packet number(8). The whole header is the AEAD's associated data, so a flipped bit
 * in it makes the packet fail authentication.
 */
public final class PacketHeader {
    public static final int VERSION = 1;
    public static final int TYPE_INITIAL = 1;   // near -> far, handshake message 1, padded
    public static final int TYPE_HANDSHAKE = 2; // far -> near, handshake message 2
    public static final int TYPE_DATA = 3;      // 1-RTT protected frames
    public static final int TYPE_REPAIR = 4;    // XOR of a group of DATA packets (see Fec); packet number = the group's first
    public static final int TYPE_RETRY = 5;     // far -> near under load: a token to echo in the next INITIAL (see RetryTokens)
    public static final int LENGTH = 17;

    private ByteBuf buf;
    private int offset;

    /** Points this flyweight at a packet; returns false (and the flyweight must not be used) if it cannot be a wanx packet. */
    public boolean wrap(ByteBuf buf) {
        this.buf = buf;
        this.offset = buf.readerIndex();
        if (buf.readableBytes() < LENGTH) {
            return false;
        }
        int flags = buf.getUnsignedByte(offset);
        int t = flags & 0x0f;
        return (flags >>> 4) == VERSION && t >= TYPE_INITIAL && t <= TYPE_RETRY;
    }

    public int type() { return buf.getUnsignedByte(offset) & 0x0f; }

    public long connectionId() { return buf.getLong(offset + 1); }

    public long packetNumber() { return buf.getLong(offset + 9); }

    public static void write(ByteBuf out, int type, long connectionId, long packetNumber) {
        out.writeByte((VERSION << 4) | type);
        out.writeLong(connectionId);
        out.writeLong(packetNumber);
    }
}
