package dev.wanx.transport.session;

import dev.wanx.transport.Hint;
import dev.wanx.transport.StreamOpen;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The session layer's frames, encoded and decoded only here (flyweight style: read fields in place).
 * Layout in docs/PROTOCOL.md, "Session frames". All integers big-endian.
 *
 * <pre>
 * OPEN    type=1 | stream u64 | flags u8 | hint u8 | port u16 | hostLen u8 | host | data...   (data at offset 0)
 * OPEN_OK type=2 | stream u64
 * DATA    type=3 | stream u64 | offset u64 | flags u8 (1=FIN) | data...
 * RESET   type=4 | stream u64 | code u8 | reasonLen u8 | reason (UTF-8)
 * CREDIT  type=5 | stream u64 | maxOffset u64
 * CLOSE   type=6 | reasonLen u8 | reason
 * PING    type=7 | token u64      (answered at once with PONG: a liveness probe)
 * PONG    type=8 | token u64
 * CONFIG  type=9 | policy...  (far to near: the near-side policy, {@code dev.wanx.config.NearPolicy}'s wire form)
 * ANNOUNCE type=10 | announcement... (far to near: {@code dev.wanx.discovery.Announcement} again, when it changed)
 * </pre>
 * A type not listed here is ignored by the receiver (see {@link #minSize}): new frame types must be session-level and
 * safe to ignore, so an older peer keeps working.
 */
public final class Frame {
    public static final int OPEN = 1, OPEN_OK = 2, DATA = 3, RESET = 4, CREDIT = 5, CLOSE = 6, PING = 7, PONG = 8, CONFIG = 9, ANNOUNCE = 10;
    public static final int FLAG_FIN = 1;
    public static final int DATA_HEADER = 1 + 8 + 8 + 1;
    public static final int OPEN_HEADER_FIXED = 1 + 8 + 1 + 1 + 2 + 1;

    private Frame() { }

    public static int type(ByteBuf f) { return f.getUnsignedByte(f.readerIndex()); }

    public static long streamId(ByteBuf f) { return f.getLong(f.readerIndex() + 1); }

    // ---- OPEN ----
    public static int openHeaderSize(StreamOpen o) { return OPEN_HEADER_FIXED + hostBytes(o).length; }

    private static byte[] hostBytes(StreamOpen o) { return o.host().getBytes(StandardCharsets.UTF_8); }

    /** Writes an OPEN header; the caller appends up to (max - header) bytes of first data. */
    public static ByteBuf open(ByteBufAllocator alloc, long id, int flags, StreamOpen o, int dataCapacity) {
        byte[] host = hostBytes(o);
        if (host.length > 255) throw new IllegalArgumentException("host too long");
        ByteBuf b = alloc.buffer(OPEN_HEADER_FIXED + host.length + dataCapacity);
        b.writeByte(OPEN).writeLong(id).writeByte(flags).writeByte(o.hint().code).writeShort(o.port()).writeByte(host.length).writeBytes(host);
        return b;
    }

    /** Parses OPEN's destination; returns null if malformed. */
    public static StreamOpen openDest(ByteBuf f) {
        int i = f.readerIndex();
        if (f.readableBytes() < OPEN_HEADER_FIXED) return null;
        int hint = f.getUnsignedByte(i + 10);
        int port = f.getUnsignedShort(i + 11);
        int hostLen = f.getUnsignedByte(i + 13);
        if (f.readableBytes() < OPEN_HEADER_FIXED + hostLen || hostLen == 0 || port == 0) return null;
        String host = f.toString(i + OPEN_HEADER_FIXED, hostLen, StandardCharsets.UTF_8);
        return new StreamOpen(host, port, Hint.fromCode(hint));
    }

    /** Index where OPEN's first data starts. */
    public static int openDataIndex(ByteBuf f) {
        return f.readerIndex() + OPEN_HEADER_FIXED + f.getUnsignedByte(f.readerIndex() + 13);
    }

    /** OPEN's stream flags ({@link dev.wanx.transport.StreamFlags}). */
    public static int openFlags(ByteBuf f) { return f.getUnsignedByte(f.readerIndex() + 9); }

    // ---- OPEN_OK ----
    public static ByteBuf openOk(ByteBufAllocator alloc, long id) {
        return alloc.buffer(9).writeByte(OPEN_OK).writeLong(id);
    }

    // ---- DATA ----
    public static ByteBuf dataHeader(ByteBufAllocator alloc, long id, long offset, boolean fin, int dataCapacity) {
        return alloc.buffer(DATA_HEADER + dataCapacity).writeByte(DATA).writeLong(id).writeLong(offset).writeByte(fin ? FLAG_FIN : 0);
    }

    public static long dataOffset(ByteBuf f) { return f.getLong(f.readerIndex() + 9); }

    public static boolean dataFin(ByteBuf f) { return (f.getUnsignedByte(f.readerIndex() + 17) & FLAG_FIN) != 0; }

    /**
     * A DATA frame longer than {@code maxLen} as two DATA frames of the same stream, the first exactly {@code maxLen}
     * bytes (the second may still be too long: cut again); null for other types or if no data fits. Used by a carrier
     * whose packets shrank under frames already cut (path MTU). {@code f} is not consumed.
     */
    public static ByteBuf[] split(ByteBuf f, int maxLen) {
        if (type(f) != DATA || f.readableBytes() <= maxLen || maxLen <= DATA_HEADER || f.readableBytes() <= DATA_HEADER) {
            return null;
        }
        long id = streamId(f);
        long off = dataOffset(f);
        int first = maxLen - DATA_HEADER;
        int data = f.readableBytes() - DATA_HEADER;
        int at = f.readerIndex() + DATA_HEADER;
        ByteBuf a = dataHeader(f.alloc(), id, off, false, first).writeBytes(f, at, first);
        ByteBuf b = dataHeader(f.alloc(), id, off + first, dataFin(f), data - first).writeBytes(f, at + first, data - first);
        return new ByteBuf[] {a, b};
    }

    // ---- RESET ----
    public static ByteBuf reset(ByteBufAllocator alloc, long id, int code, String reason) {
        byte[] r = truncate(reason);
        return alloc.buffer(11 + r.length).writeByte(RESET).writeLong(id).writeByte(code).writeByte(r.length).writeBytes(r);
    }

    public static int resetCode(ByteBuf f) { return f.getUnsignedByte(f.readerIndex() + 9); }

    public static String resetReason(ByteBuf f) {
        int i = f.readerIndex();
        if (f.readableBytes() < 11) return "";
        int len = Math.min(f.getUnsignedByte(i + 10), f.readableBytes() - 11);
        return f.toString(i + 11, len, StandardCharsets.UTF_8);
    }

    // ---- CREDIT ----
    public static ByteBuf credit(ByteBufAllocator alloc, long id, long maxOffset) {
        return alloc.buffer(17).writeByte(CREDIT).writeLong(id).writeLong(maxOffset);
    }

    public static long creditMax(ByteBuf f) { return f.getLong(f.readerIndex() + 9); }

    // ---- CLOSE ----
    public static ByteBuf close(ByteBufAllocator alloc, String reason) {
        byte[] r = truncate(reason);
        return alloc.buffer(2 + r.length).writeByte(CLOSE).writeByte(r.length).writeBytes(r);
    }

    public static String closeReason(ByteBuf f) {
        int i = f.readerIndex();
        if (f.readableBytes() < 2) return "";
        int len = Math.min(f.getUnsignedByte(i + 1), f.readableBytes() - 2);
        return f.toString(i + 2, len, StandardCharsets.UTF_8);
    }

    // ---- PING / PONG ----
    public static ByteBuf ping(ByteBufAllocator alloc, int type, long token) {
        return alloc.buffer(9).writeByte(type).writeLong(token);
    }

    public static long pingToken(ByteBuf f) { return f.getLong(f.readerIndex() + 1); }

    // ---- session-level messages: CONFIG, ANNOUNCE ----
    public static ByteBuf message(ByteBufAllocator alloc, int type, byte[] payload) {
        return alloc.buffer(1 + payload.length).writeByte(type).writeBytes(payload);
    }

    /** A copy of a CONFIG's or ANNOUNCE's payload (the receiver keeps it beyond the frame's life). */
    public static byte[] messagePayload(ByteBuf f) {
        byte[] b = new byte[f.readableBytes() - 1];
        f.getBytes(f.readerIndex() + 1, b);
        return b;
    }

    /**
     * Minimum size of a well-formed frame of the given type, or -1 for a type this end does not know (the session
     * ignores those: a newer peer's session-level extension).
     */
    public static int minSize(int type) {
        return switch (type) {
            case OPEN -> OPEN_HEADER_FIXED;
            case OPEN_OK -> 9;
            case DATA -> DATA_HEADER;
            case RESET -> 11;
            case CREDIT -> 17;
            case CLOSE -> 2;
            case PING, PONG -> 9;
            case CONFIG, ANNOUNCE -> 2; // at least the payload's format byte
            default -> -1;
        };
    }

    private static byte[] truncate(String s) {
        byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
        if (b.length <= 200) return b;
        byte[] t = new byte[200];
        System.arraycopy(b, 0, t, 0, 200);
        return t;
    }
}
