package dev.wanx.transport.session;

import dev.wanx.transport.Hint;
import dev.wanx.transport.StreamOpen;
import dev.wanx.transport.QuicVarint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The session layer's frames, encoded and decoded only here (flyweight style: read fields in place).
 * Layout in docs/PROTOCOL.md, "Session frames". All integers big-endian.
 *
 * <pre>
 * OPEN    type=1 | stream u64 | flags u8 | hint u8 | port u16 | hostLen u8 | host | [early u32] | data...
 *                  (data at offset 0; early present when flags has {@link #OPEN_EARLY})
 * OPEN_OK type=2 | stream u64
 * DATA    type=3 | stream u64 | offset u64 | flags u8 (1=FIN) | data...
 * RESET   type=4 | stream u64 | code u8 | reasonLen u8 | reason (UTF-8)
 * CREDIT  type=5 | stream u64 | maxOffset u64
 * CLOSE   type=6 | reasonLen u8 | reason
 * PING    type=7 | token u64      (answered at once with PONG: a liveness probe)
 * PONG    type=8 | token u64
 * CONFIG  type=9 | policy...  (far to near: the near-side policy, {@code dev.wanx.config.NearPolicy}'s wire form)
 * ANNOUNCE type=10 | announcement... (far to near: {@code dev.wanx.discovery.Announcement} again, when it changed)
 * FEATURES type=11 | bits u32 | ... (what this end reads beyond protocol v1; sent first, once per session)
 * DATA_V  type=12 | stream varint | offset varint | flags u8 | data...   (DATA in 7 header bytes instead of 18;
 *                  sent only to a peer whose FEATURES has {@link #FEATURE_DATA_V})
 * ALLOWANCE type=13 | max u64   (early credit granted for the streams the receiver opens, cumulative)
 * SESSION_MAX type=14 | max u64 (stream bytes of all streams the receiver allows in total, cumulative; sent by an end
 *                  whose FEATURES has {@link #FEATURE_SESSION_CREDIT})
 * BOUND   type=15 | sent u64  (the sender keeps to SESSION_MAX from now on; it had sent this much; once per session)
 * </pre>
 * Varints are QUIC's (RFC 9000 §16): the top two bits of the first byte give the length, 1, 2, 4 or 8 bytes.
 * A type not listed here is ignored by the receiver (see {@link #minSize}): new frame types must be session-level and
 * safe to ignore, so an older peer keeps working.
 */
public final class Frame {
    public static final int OPEN = 1, OPEN_OK = 2, DATA = 3, RESET = 4, CREDIT = 5, CLOSE = 6, PING = 7, PONG = 8, CONFIG = 9, ANNOUNCE = 10,
            FEATURES = 11, DATA_V = 12, ALLOWANCE = 13, SESSION_MAX = 14, BOUND = 15;
    /**
     * OPEN flag (the byte's top bit, outside {@link dev.wanx.transport.StreamFlags}' range): a u32 after the host says
     * how much of the peer's ALLOWANCE this stream takes as credit beyond the initial window. Only to a peer that
     * sent ALLOWANCE.
     */
    public static final int OPEN_EARLY = 0x80;
    public static final int FLAG_FIN = 1;
    /** FEATURES bit: this end reads DATA_V. */
    public static final int FEATURE_DATA_V = 1;
    /** FEATURES bit: this end sends SESSION_MAX and, to a peer that sends it, keeps within it (BOUND). */
    public static final int FEATURE_SESSION_CREDIT = 2;
    /** Every bit this build reads: what it advertises. */
    public static final int FEATURES_READ = FEATURE_DATA_V | FEATURE_SESSION_CREDIT;
    public static final int DATA_HEADER = 1 + 8 + 8 + 1;
    public static final int OPEN_HEADER_FIXED = 1 + 8 + 1 + 1 + 2 + 1;

    private Frame() { }

    public static int type(ByteBuf f) { return f.getUnsignedByte(f.readerIndex()); }

    public static long streamId(ByteBuf f) {
        int i = f.readerIndex() + 1;
        return type(f) == DATA_V ? QuicVarint.get(f, i) : f.getLong(i);
    }

    // ---- OPEN ----
    /** OPEN's bytes before its first data; with {@code early} > 0 the header carries it (and sets {@link #OPEN_EARLY}). */
    public static int openHeaderSize(StreamOpen o, long early) {
        return OPEN_HEADER_FIXED + hostBytes(o).length + earlyFieldSize(early);
    }

    private static int earlyFieldSize(long early) { return early > 0 ? 4 : 0; }

    /** Bytes of OPEN's early field: 4 when its flags have {@link #OPEN_EARLY}, else 0. */
    private static int earlyFieldSize(ByteBuf f) { return (f.getUnsignedByte(f.readerIndex() + 9) & OPEN_EARLY) != 0 ? 4 : 0; }

    private static byte[] hostBytes(StreamOpen o) { return o.host().getBytes(StandardCharsets.UTF_8); }

    /**
     * Writes an OPEN header taking {@code early} bytes of the peer's ALLOWANCE (0: none, no field); the caller appends
     * up to (max - header) bytes of first data.
     */
    public static ByteBuf open(ByteBufAllocator alloc, long id, int flags, StreamOpen o, long early, int dataCapacity) {
        byte[] host = hostBytes(o);
        if (host.length > 255) throw new IllegalArgumentException("host too long");
        if (early < 0 || early > 0xFFFF_FFFFL) throw new IllegalArgumentException("early credit out of range: " + early);
        ByteBuf b = alloc.buffer(OPEN_HEADER_FIXED + host.length + earlyFieldSize(early) + dataCapacity);
        b.writeByte(OPEN).writeLong(id).writeByte(early > 0 ? flags | OPEN_EARLY : flags).writeByte(o.hint().code)
                .writeShort(o.port()).writeByte(host.length).writeBytes(host);
        if (early > 0) b.writeInt((int) early);
        return b;
    }

    /** OPEN's early credit (0 without {@link #OPEN_EARLY}), or -1 if the field does not fit the frame (malformed). */
    public static long openEarly(ByteBuf f) {
        if (earlyFieldSize(f) == 0) return 0;
        int at = f.readerIndex() + OPEN_HEADER_FIXED + f.getUnsignedByte(f.readerIndex() + 13);
        return at + 4 <= f.writerIndex() ? f.getUnsignedInt(at) : -1;
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
        return f.readerIndex() + OPEN_HEADER_FIXED + f.getUnsignedByte(f.readerIndex() + 13) + earlyFieldSize(f);
    }

    /** OPEN's stream flags ({@link dev.wanx.transport.StreamFlags}), without {@link #OPEN_EARLY}. */
    public static int openFlags(ByteBuf f) { return f.getUnsignedByte(f.readerIndex() + 9) & ~OPEN_EARLY; }

    // ---- OPEN_OK ----
    public static ByteBuf openOk(ByteBufAllocator alloc, long id) {
        return alloc.buffer(9).writeByte(OPEN_OK).writeLong(id);
    }

    // ---- DATA, DATA_V ----
    public static ByteBuf dataHeader(ByteBufAllocator alloc, long id, long offset, boolean fin, int dataCapacity) {
        return dataHeader(alloc, id, offset, fin, dataCapacity, false);
    }

    /** A DATA (or, with {@code compact}, DATA_V) header; the caller appends the data. */
    public static ByteBuf dataHeader(ByteBufAllocator alloc, long id, long offset, boolean fin, int dataCapacity, boolean compact) {
        ByteBuf b = alloc.buffer(dataHeaderSize(id, offset, compact) + dataCapacity);
        if (compact) {
            b.writeByte(DATA_V);
            QuicVarint.write(b, id);
            QuicVarint.write(b, offset);
        } else {
            b.writeByte(DATA).writeLong(id).writeLong(offset);
        }
        return b.writeByte(fin ? FLAG_FIN : 0);
    }

    /** Header bytes of a DATA or DATA_V frame for this stream and offset. */
    public static int dataHeaderSize(long id, long offset, boolean compact) {
        return compact ? 1 + QuicVarint.size(id) + QuicVarint.size(offset) + 1 : DATA_HEADER;
    }

    /** True for the two stream-data frame types. */
    public static boolean isData(int type) { return type == DATA || type == DATA_V; }

    /**
     * Header bytes of this DATA or DATA_V frame (its data follows), or -1 if its fields do not fit in it (malformed).
     */
    public static int dataHeaderSize(ByteBuf f) {
        int n = f.readableBytes();
        if (type(f) == DATA) return n >= DATA_HEADER ? DATA_HEADER : -1;
        int i = f.readerIndex();
        if (n < 2) return -1;
        int a = QuicVarint.sizeAt(f, i + 1);
        if (n < 1 + a + 1) return -1;
        int b = QuicVarint.sizeAt(f, i + 1 + a);
        int h = 1 + a + b + 1;
        return n >= h ? h : -1;
    }

    public static long dataOffset(ByteBuf f) {
        int i = f.readerIndex();
        if (type(f) == DATA) return f.getLong(i + 9);
        return QuicVarint.get(f, i + 1 + QuicVarint.sizeAt(f, i + 1));
    }

    public static boolean dataFin(ByteBuf f) {
        return (f.getUnsignedByte(f.readerIndex() + dataHeaderSize(f) - 1) & FLAG_FIN) != 0;
    }

    /**
     * A DATA frame longer than {@code maxLen} as two DATA frames of the same stream, the first exactly {@code maxLen}
     * bytes (the second may still be too long: cut again); null for other types or if no data fits. Used by a carrier
     * whose packets shrank under frames already cut (path MTU). {@code f} is not consumed.
     */
    public static ByteBuf[] split(ByteBuf f, int maxLen) {
        if (!f.isReadable() || !isData(type(f)) || f.readableBytes() <= maxLen) return null;
        int header = dataHeaderSize(f);
        if (header < 0 || maxLen <= header || f.readableBytes() <= header) return null;
        boolean compact = type(f) == DATA_V;
        long id = streamId(f);
        long off = dataOffset(f);
        int first = maxLen - header;
        int data = f.readableBytes() - header;
        int at = f.readerIndex() + header;
        ByteBuf a = dataHeader(f.alloc(), id, off, false, first, compact).writeBytes(f, at, first);
        ByteBuf b = dataHeader(f.alloc(), id, off + first, dataFin(f), data - first, compact).writeBytes(f, at + first, data - first);
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

    // ---- ALLOWANCE ----
    public static ByteBuf allowance(ByteBufAllocator alloc, long max) {
        return alloc.buffer(9).writeByte(ALLOWANCE).writeLong(max);
    }

    public static long allowanceMax(ByteBuf f) { return f.getLong(f.readerIndex() + 1); }

    // ---- SESSION_MAX, BOUND ----
    public static ByteBuf sessionMax(ByteBufAllocator alloc, long max) {
        return alloc.buffer(9).writeByte(SESSION_MAX).writeLong(max);
    }

    public static long sessionMax(ByteBuf f) { return f.getLong(f.readerIndex() + 1); }

    public static ByteBuf bound(ByteBufAllocator alloc, long sent) {
        return alloc.buffer(9).writeByte(BOUND).writeLong(sent);
    }

    public static long boundSent(ByteBuf f) { return f.getLong(f.readerIndex() + 1); }

    /** Stream bytes an OPEN carries (0 if its header does not fit: onOpen finds it malformed). */
    public static int openDataBytes(ByteBuf f) { return Math.max(0, f.writerIndex() - openDataIndex(f)); }

    // ---- FEATURES ----
    public static ByteBuf features(ByteBufAllocator alloc, int bits) {
        return alloc.buffer(5).writeByte(FEATURES).writeInt(bits);
    }

    /** The bits of a FEATURES frame; later fields a newer peer may add are ignored. */
    public static int featureBits(ByteBuf f) { return f.getInt(f.readerIndex() + 1); }

    /**
     * Minimum size of a well-formed frame of the given type, or -1 for a type this end does not know (the session
     * ignores those: a newer peer's session-level extension).
     */
    public static int minSize(int type) {
        return switch (type) {
            case OPEN -> OPEN_HEADER_FIXED;
            case OPEN_OK -> 9;
            case DATA -> DATA_HEADER;
            case DATA_V -> 4; // the real check is dataHeaderSize(f): the varints say how long the header is
            case FEATURES -> 5;
            case ALLOWANCE, SESSION_MAX, BOUND -> 9;
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
