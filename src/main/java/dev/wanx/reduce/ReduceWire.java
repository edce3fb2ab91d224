package dev.wanx.reduce;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The reduction wire format, encoded and decoded only here (see docs/PROTOCOL.md, "Data reduction"). Every record is
 * {@code type u8 | length u32 | body}; varints are unsigned LEB128. One stream carries, in each direction, the data
 * records of that direction (HELLO, LITERAL, REF, END) interleaved with control records answering the other
 * direction (MISS, CHUNK, ACK, END_ACK).
 */
public final class ReduceWire {
    public static final int VERSION = 1;
    public static final int MAX_BODY = 1 << 20;
    /** Bytes before a record's body: type u8, length u32. */
    public static final int HEADER = 5;

    public static final int HELLO = 0x00, LITERAL = 0x01, REF = 0x02, END = 0x03;
    public static final int MISS = 0x10, CHUNK = 0x11, ACK = 0x12, END_ACK = 0x13;

    /** LITERAL flags. */
    public static final int F_ZSTD = 1, F_LEARN = 2, F_PARTIAL = 4, F_CONT = 8;

    private ReduceWire() { }

    // ------------------------------------------------------------------ encoding

    private static ByteBuf start(ByteBufAllocator a, int type, int capacity) {
        ByteBuf b = a.buffer(HEADER + capacity);
        b.writeByte(type).writeInt(0);
        return b;
    }

    private static ByteBuf finish(ByteBuf b) {
        b.setInt(1, b.writerIndex() - HEADER);
        return b;
    }

    public static ByteBuf hello(ByteBufAllocator a) {
        return finish(start(a, HELLO, 1).writeByte(VERSION));
    }

    /**
     * A LITERAL record around {@code payload} (taken over, not copied: one composite buffer, so the tunnel never
     * sees a header without its body). Chunk lengths are all learnable, or one unlearned run; the payload is
     * zstd-compressed if flagged.
     */
    public static ByteBuf literal(ByteBufAllocator a, int flags, int[] lengths, int count, ByteBuf payload) {
        ByteBuf h = start(a, LITERAL, 1 + 5 + count * 3);
        h.writeByte(flags);
        varint(h, count);
        for (int i = 0; i < count; i++) varint(h, lengths[i]);
        h.setInt(1, h.writerIndex() - HEADER + payload.readableBytes());
        return a.compositeBuffer(2).addComponents(true, h, payload);
    }

    /** A LITERAL payload: pieces[from, to) without the first {@code skip} bytes, wrapped (never copied). */
    static ByteBuf wrapPieces(List<byte[]> pieces, int from, int to, int skip) {
        ByteBuf[] parts = new ByteBuf[to - from];
        for (int k = from; k < to; k++) {
            byte[] c = pieces.get(k);
            int off = k == from ? skip : 0;
            parts[k - from] = Unpooled.wrappedBuffer(c, off, c.length - off);
        }
        return Unpooled.wrappedBuffer(parts.length, parts);
    }

    /** The same {@code size} bytes joined in one array (zstd's input). */
    static byte[] joinPieces(List<byte[]> pieces, int from, int to, int skip, int size) {
        byte[] raw = new byte[size];
        int p = 0;
        for (int k = from; k < to; k++) {
            byte[] c = pieces.get(k);
            int off = k == from ? skip : 0;
            System.arraycopy(c, off, raw, p, c.length - off);
            p += c.length - off;
        }
        return raw;
    }

    public static ByteBuf ref(ByteBufAllocator a, long seq, List<Fingerprint> fps, int[] lengths) {
        ByteBuf b = start(a, REF, 10 + fps.size() * (Fingerprint.SIZE + 3));
        varint(b, seq);
        varint(b, fps.size());
        byte[] tmp = new byte[Fingerprint.SIZE];
        for (int i = 0; i < fps.size(); i++) {
            fps.get(i).copyTo(tmp, 0);
            b.writeBytes(tmp);
            varint(b, lengths[i]);
        }
        return finish(b);
    }

    public static ByteBuf end(ByteBufAllocator a, Reason reason, String why) {
        byte[] w = why.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(w.length, 1000);
        return finish(start(a, END, 1 + n).writeByte(reason.code).writeBytes(w, 0, n));
    }

    public static ByteBuf miss(ByteBufAllocator a, List<Fingerprint> fps) {
        ByteBuf b = start(a, MISS, 5 + fps.size() * Fingerprint.SIZE);
        varint(b, fps.size());
        byte[] tmp = new byte[Fingerprint.SIZE];
        for (Fingerprint f : fps) {
            f.copyTo(tmp, 0);
            b.writeBytes(tmp);
        }
        return finish(b);
    }

    public static ByteBuf chunk(ByteBufAllocator a, Fingerprint fp, byte[] data) {
        byte[] tmp = new byte[Fingerprint.SIZE];
        fp.copyTo(tmp, 0);
        return finish(start(a, CHUNK, Fingerprint.SIZE + data.length).writeBytes(tmp).writeBytes(data));
    }

    public static ByteBuf ack(ByteBufAllocator a, long seq) {
        ByteBuf b = start(a, ACK, 10);
        varint(b, seq);
        return finish(b);
    }

    public static ByteBuf endAck(ByteBufAllocator a) {
        return finish(start(a, END_ACK, 0));
    }

    static void varint(ByteBuf b, long v) {
        while ((v & ~0x7fL) != 0) {
            b.writeByte((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        b.writeByte((int) v);
    }

    // ------------------------------------------------------------------ decoding

    /** Reads a whole record's header (as cut by {@link RecordReader}); returns its type, leaving the body. */
    public static int openRecord(ByteBuf rec) {
        int type = rec.readUnsignedByte();
        rec.skipBytes(HEADER - 1);
        return type;
    }

    public static long readVarint(ByteBuf b) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (!b.isReadable()) throw new ProtocolException("truncated varint");
            int x = b.readByte();
            v |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) return v;
        }
        throw new ProtocolException("varint too long");
    }

    public static int readLength(ByteBuf b, int max) {
        long v = readVarint(b);
        if (v < 0 || v > max) throw new ProtocolException("length " + v + " out of range");
        return (int) v;
    }

    public static Fingerprint readFingerprint(ByteBuf b) {
        if (b.readableBytes() < Fingerprint.SIZE) throw new ProtocolException("truncated fingerprint");
        byte[] t = new byte[Fingerprint.SIZE];
        b.readBytes(t);
        return Fingerprint.wrap(t, 0);
    }

    /** A peer sent something this version cannot parse: the stream is aborted, nothing wrong is delivered. */
    public static final class ProtocolException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ProtocolException(String msg) {
            super(msg);
        }
    }
}
