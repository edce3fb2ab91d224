package dev.wanx.transport;

import io.netty.buffer.ByteBuf;

/**
 * QUIC's variable-length integers (RFC 9000 §16): the top two bits of the first byte give the length, 1, 2, 4 or
 * 8 bytes, so a reader knows a field's size from its first byte. Used by the session's DATA_V and the UDP carrier's
 * ACK_V frames (docs/PROTOCOL.md).
 */
public final class QuicVarint {
    public static final long MAX = (1L << 62) - 1;

    private QuicVarint() { }

    /** Bytes {@code v} takes. */
    public static int size(long v) {
        if (v < 0 || v > MAX) throw new IllegalArgumentException("varint out of range: " + v);
        return v < (1 << 6) ? 1 : v < (1 << 14) ? 2 : v < (1L << 30) ? 4 : 8;
    }

    public static void write(ByteBuf b, long v) {
        switch (size(v)) {
            case 1 -> b.writeByte((int) v);
            case 2 -> b.writeShort((int) v | 0x4000);
            case 4 -> b.writeInt((int) v | 0x8000_0000);
            default -> b.writeLong(v | 0xC000_0000_0000_0000L);
        }
    }

    /**
     * {@code v} (below 2^30) in the 4-byte form whatever its size: a reader takes any form, and a frame whose size was
     * fixed before its number was known keeps that size.
     */
    public static void write4(ByteBuf b, long v) {
        if (v < 0 || v >= (1L << 30)) throw new IllegalArgumentException("not a 4-byte varint: " + v);
        b.writeInt((int) v | 0x8000_0000);
    }

    /** Length of the varint starting at {@code index}, from its first byte (the bytes may not all be there). */
    public static int sizeAt(ByteBuf b, int index) { return 1 << (b.getUnsignedByte(index) >>> 6); }

    /** The varint at {@code index}; the caller has checked that {@link #sizeAt} bytes are readable there. */
    public static long get(ByteBuf b, int index) {
        return switch (sizeAt(b, index)) {
            case 1 -> b.getUnsignedByte(index);
            case 2 -> b.getUnsignedShort(index) & 0x3FFF;
            case 4 -> b.getUnsignedInt(index) & 0x3FFF_FFFFL;
            default -> b.getLong(index) & MAX;
        };
    }
}
