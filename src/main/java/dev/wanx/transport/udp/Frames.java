package dev.wanx.transport.udp;

import dev.wanx.transport.QuicVarint;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Encodes and decodes the frames inside a decrypted packet payload: the only place frame layouts live.
 * Decoding never throws on bad input: {@link #decode} returns false and the packet is dropped whole.
 */
public final class Frames {
    public static final int PADDING = 0x00;
    public static final int PING = 0x01;
    public static final int ACK = 0x02;
    public static final int DATA = 0x03;
    public static final int CLOSE = 0x04;
    public static final int PATH_CHALLENGE = 0x05;
    public static final int PATH_RESPONSE = 0x06;
    /** Packet numbers the receiver rebuilt from parity; sent only to a peer whose hello says it reads them. */
    public static final int FILLED = 0x07;

    /**
     * ACK with varints for its numbers: with the ~7 ranges an ACK carries at 1 % loss, ~32 bytes instead of 126
     * (30 + 16 per range), when ACKs were 3 % of an upload's wire bytes. Sent only to a peer whose hello says it reads
     * it ({@link HandshakePacket#helloReadsAckV}).
     */
    public static final int ACK_V = 0x08;

    /**
     * DATA with its frame id as a 4-byte varint (while ids are below 2^30): 4 bytes fewer per packet. Sent only to a
     * peer whose hello says it reads it ({@link HandshakePacket#helloReadsShort}).
     */
    public static final int DATA_V = 0x09;

    /** type(1) frameId(8) length(2). */
    public static final int DATA_OVERHEAD = 11;
    /** type(1) frameId(4-byte varint) length(2). */
    public static final int DATA_V_OVERHEAD = 7;
    /** Frame ids from here on go as DATA even to a peer that reads DATA_V. */
    public static final long DATA_V_IDS = 1L << 30;
    public static final int ACK_FIXED = 1 + 8 + 4 + 8 + 1 + 8;
    public static final int ACK_PER_RANGE = 16;
    /** ACK_V at its longest (every varint 8 bytes): with one range, and per further range. */
    public static final int ACK_V_MAX_FIXED = 1 + 8 + 8 + 8 + 1 + 8;
    public static final int ACK_V_MAX_PER_RANGE = 16;
    public static final int PATH_FRAME = 9;
    public static final int MAX_REASON = 200;
    /** Packet numbers one FILLED frame carries at most. */
    public static final int MAX_FILLED = 32;

    private Frames() { }

    /** What the receiver of a payload is told, in wire order. Implementations must not keep {@code data} past the call without retaining it. */
    public interface Visitor {
        void onPing();

        void onAck(AckFrame ack);

        void onData(long frameId, ByteBuf data);

        void onClose(int code, String reason);

        void onPathChallenge(long token);

        void onPathResponse(long token);

        /** The peer rebuilt our packet {@code pn} from parity (it was lost on the way). */
        void onFilled(long pn);
    }

    public static void writePing(ByteBuf out) { out.writeByte(PING); }

    public static void writePadding(ByteBuf out, int bytes) { out.writeZero(bytes); }

    /** Bytes a DATA frame's header takes in front of its data: the DATA_V form if {@code v} and the id allows. */
    public static int dataOverhead(boolean v, long frameId) {
        return v && frameId < DATA_V_IDS ? DATA_V_OVERHEAD : DATA_OVERHEAD;
    }

    public static void writeData(ByteBuf out, long frameId, ByteBuf data) { writeData(out, frameId, data, false); }

    /** DATA, or DATA_V if {@code v} and the id is below {@link #DATA_V_IDS}. */
    public static void writeData(ByteBuf out, long frameId, ByteBuf data, boolean v) {
        if (v && frameId < DATA_V_IDS) {
            out.writeByte(DATA_V);
            QuicVarint.write4(out, frameId);
        } else {
            out.writeByte(DATA);
            out.writeLong(frameId);
        }
        out.writeShort(data.readableBytes());
        out.writeBytes(data, data.readerIndex(), data.readableBytes());
    }

    /** Ranges given inclusive, descending, as the ack tracker holds them. */
    public static void writeAck(ByteBuf out, long ackDelayMicros, long receiveTimeMicros, long[] starts, long[] ends, int count) {
        out.writeByte(ACK);
        out.writeLong(ends[0]);
        out.writeInt((int) Math.min(ackDelayMicros, Integer.MAX_VALUE));
        out.writeLong(receiveTimeMicros);
        out.writeByte(count);
        out.writeLong(ends[0] - starts[0]);
        for (int i = 1; i < count; i++) {
            out.writeLong(starts[i - 1] - ends[i]); // gap: >= 2 (at least one missing number)
            out.writeLong(ends[i] - starts[i]);
        }
    }

    /**
     * The ACK_V form: largest, ack delay (µs), receive time (µs) and the first range's length as varints, the range
     * count as a byte, then per further range the gap minus 2 and the length, as varints.
     */
    public static void writeAckV(ByteBuf out, long ackDelayMicros, long receiveTimeMicros, long[] starts, long[] ends, int count) {
        out.writeByte(ACK_V);
        QuicVarint.write(out, ends[0]);
        QuicVarint.write(out, Math.min(ackDelayMicros, Integer.MAX_VALUE)); // the same cap as ACK's u32
        QuicVarint.write(out, Math.max(0, receiveTimeMicros));
        out.writeByte(count);
        QuicVarint.write(out, ends[0] - starts[0]);
        for (int i = 1; i < count; i++) {
            QuicVarint.write(out, starts[i - 1] - ends[i] - 2);
            QuicVarint.write(out, ends[i] - starts[i]);
        }
    }

    public static void writeClose(ByteBuf out, int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(r.length, MAX_REASON);
        out.writeByte(CLOSE);
        out.writeShort(code);
        out.writeByte(n);
        out.writeBytes(r, 0, n);
    }

    public static int filledSize(int count) { return 2 + 8 * count; }

    public static void writeFilled(ByteBuf out, long[] pns, int count) {
        out.writeByte(FILLED);
        out.writeByte(count);
        for (int i = 0; i < count; i++) out.writeLong(pns[i]);
    }

    public static void writePathChallenge(ByteBuf out, long token) {
        out.writeByte(PATH_CHALLENGE);
        out.writeLong(token);
    }

    public static void writePathResponse(ByteBuf out, long token) {
        out.writeByte(PATH_RESPONSE);
        out.writeLong(token);
    }

    /**
     * Parses the whole payload first (so a malformed packet has no side effects), then walks it again
     * calling the visitor. Returns false if any frame is malformed.
     */
    public static boolean decode(ByteBuf payload, AckFrame scratch, Visitor v) {
        return walk(payload, scratch, null) && walk(payload, scratch, v);
    }

    private static boolean walk(ByteBuf p, AckFrame ack, Visitor v) {
        int i = p.readerIndex();
        int end = p.writerIndex();
        while (i < end) {
            int type = p.getUnsignedByte(i++);
            switch (type) {
                case PADDING:
                    break;
                case PING:
                    if (v != null) v.onPing();
                    break;
                case DATA: {
                    if (end - i < 10) return false;
                    long id = p.getLong(i);
                    int len = p.getUnsignedShort(i + 8);
                    i += 10;
                    if (len == 0 || end - i < len || id < 0) return false;
                    if (v != null) v.onData(id, p.slice(i, len));
                    i += len;
                    break;
                }
                case DATA_V: {
                    int n = varintLength(p, i, end);
                    if (n < 0 || end - i - n < 2) return false;
                    long id = QuicVarint.get(p, i);
                    int len = p.getUnsignedShort(i + n);
                    i += n + 2;
                    if (len == 0 || end - i < len) return false;
                    if (v != null) v.onData(id, p.slice(i, len));
                    i += len;
                    break;
                }
                case ACK: {
                    if (end - i < ACK_FIXED - 1) return false;
                    long largest = p.getLong(i);
                    long delay = p.getUnsignedInt(i + 8);
                    long rts = p.getLong(i + 12);
                    int count = p.getUnsignedByte(i + 20);
                    long first = p.getLong(i + 21);
                    i += 29;
                    if (end - i < (count - 1) * ACK_PER_RANGE || !ackHead(ack, largest, delay, rts, count, first)) return false;
                    for (int r = 1; r < count; r++) {
                        if (!ackRange(ack, r, p.getLong(i), p.getLong(i + 8))) return false;
                        i += 16;
                    }
                    if (v != null) v.onAck(ack);
                    break;
                }
                case ACK_V: {
                    int n;
                    if ((n = varintLength(p, i, end)) < 0) return false;
                    long largest = QuicVarint.get(p, i);
                    i += n;
                    if ((n = varintLength(p, i, end)) < 0) return false;
                    long delay = QuicVarint.get(p, i);
                    i += n;
                    if ((n = varintLength(p, i, end)) < 0) return false;
                    long rts = QuicVarint.get(p, i);
                    i += n;
                    if (i >= end) return false;
                    int count = p.getUnsignedByte(i++);
                    if ((n = varintLength(p, i, end)) < 0) return false;
                    long first = QuicVarint.get(p, i);
                    i += n;
                    if (delay > Integer.MAX_VALUE || !ackHead(ack, largest, delay, rts, count, first)) return false;
                    for (int r = 1; r < count; r++) {
                        if ((n = varintLength(p, i, end)) < 0) return false;
                        long gap = QuicVarint.get(p, i) + 2;
                        i += n;
                        if ((n = varintLength(p, i, end)) < 0 || !ackRange(ack, r, gap, QuicVarint.get(p, i))) return false;
                        i += n;
                    }
                    if (v != null) v.onAck(ack);
                    break;
                }
                case CLOSE: {
                    if (end - i < 3) return false;
                    int code = p.getUnsignedShort(i);
                    int n = p.getUnsignedByte(i + 2);
                    i += 3;
                    if (end - i < n) return false;
                    if (v != null) v.onClose(code, p.toString(i, n, StandardCharsets.UTF_8));
                    i += n;
                    break;
                }
                case FILLED: {
                    if (end - i < 1) return false;
                    int count = p.getUnsignedByte(i++);
                    if (count < 1 || count > MAX_FILLED || end - i < 8 * count) return false;
                    for (int k = 0; k < count; k++) {
                        if (p.getLong(i + 8 * k) < 0) return false;
                    }
                    if (v != null) {
                        for (int k = 0; k < count; k++) v.onFilled(p.getLong(i + 8 * k));
                    }
                    i += 8 * count;
                    break;
                }
                case PATH_CHALLENGE:
                case PATH_RESPONSE: {
                    if (end - i < 8) return false;
                    long token = p.getLong(i);
                    i += 8;
                    if (v != null) {
                        if (type == PATH_CHALLENGE) v.onPathChallenge(token); else v.onPathResponse(token);
                    }
                    break;
                }
                default:
                    return false;
            }
        }
        return true;
    }

    /** An ACK's (or ACK_V's) first range into {@code ack}, with its range count; false if they cannot be an ACK's. */
    private static boolean ackHead(AckFrame ack, long largest, long delay, long rts, int count, long first) {
        if (count < 1 || count > AckFrame.MAX_RANGES || largest < 0 || first < 0 || first > largest) return false;
        ack.largest = largest;
        ack.ackDelayMicros = delay;
        ack.receiveTimeMicros = rts;
        ack.ends[0] = largest;
        ack.starts[0] = largest - first;
        ack.rangeCount = count;
        return true;
    }

    /** Range {@code r}: it ends {@code gap} (at least 2) below range r−1's start and spans {@code len} more; false if below 0. */
    private static boolean ackRange(AckFrame ack, int r, long gap, long len) {
        long e = ack.starts[r - 1] - gap;
        if (gap < 2 || len < 0 || e < 0 || e - len < 0) return false;
        ack.ends[r] = e;
        ack.starts[r] = e - len;
        return true;
    }

    /** Length of the varint at {@code i}, or -1 if it runs past {@code end}. */
    private static int varintLength(ByteBuf p, int i, int end) {
        if (i >= end) return -1;
        int n = QuicVarint.sizeAt(p, i);
        return i + n > end ? -1 : n;
    }

    /** True if the frame type makes the receiver owe an ACK (everything but ACK and PADDING). */
    public static boolean isAckEliciting(int type) { return type != ACK && type != ACK_V && type != PADDING && type != FILLED; }
}
