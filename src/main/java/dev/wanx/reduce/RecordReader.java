package dev.wanx.reduce;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.ArrayDeque;

/**
 * Accumulates inbound tunnel bytes and cuts complete records ({@code type u8 | length u32 | body}) without copying:
 * a record inside one inbound buffer is a retained slice of it, one spanning several is a composite of their
 * slices, so a passed-through literal can reach the app as the very buffers the tunnel delivered. Owns what it
 * holds; {@link #release} on close.
 */
final class RecordReader {
    private final ByteBufAllocator alloc;
    private final ArrayDeque<ByteBuf> parts = new ArrayDeque<>();
    private long readable;

    RecordReader(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** Takes ownership of {@code data}. */
    void add(ByteBuf data) {
        if (!data.isReadable()) {
            data.release();
            return;
        }
        parts.add(data);
        readable += data.readableBytes();
    }

    /**
     * The next complete record, header included (read it with {@link ReduceWire#openRecord}), or null if
     * incomplete. The caller releases it.
     */
    ByteBuf next() {
        if (readable < ReduceWire.HEADER) return null;
        int len = lengthField();
        if (len < 0 || len > ReduceWire.MAX_BODY) throw new ReduceWire.ProtocolException("record of " + len + " bytes");
        if (readable < ReduceWire.HEADER + len) return null;
        return take(ReduceWire.HEADER + len);
    }

    private int lengthField() {
        ByteBuf first = parts.peek();
        if (first.readableBytes() >= ReduceWire.HEADER) return first.getInt(first.readerIndex() + 1);
        int v = 0;
        for (int i = 1; i < ReduceWire.HEADER; i++) v = v << 8 | byteAt(i); // header split across buffers: rare
        return v;
    }

    private int byteAt(int i) {
        for (ByteBuf p : parts) {
            if (i < p.readableBytes()) return p.getUnsignedByte(p.readerIndex() + i);
            i -= p.readableBytes();
        }
        throw new IllegalStateException("byte " + i + " not buffered");
    }

    private ByteBuf take(int n) {
        readable -= n;
        ByteBuf first = parts.peek();
        if (first.readableBytes() == n) return parts.poll(); // exactly one buffer: hand it over as it is
        if (first.readableBytes() > n) return first.readRetainedSlice(n);
        int count = 0;
        int left = n;
        for (ByteBuf p : parts) {
            count++;
            left -= p.readableBytes();
            if (left <= 0) break;
        }
        // Exactly as many components as pieces: a composite over its limit would consolidate, i.e. copy.
        CompositeByteBuf c = alloc.compositeBuffer(count);
        left = n;
        while (left > 0) {
            ByteBuf p = parts.peek();
            int k = p.readableBytes();
            if (k <= left) {
                c.addComponent(true, parts.poll());
                left -= k;
            } else {
                c.addComponent(true, p.readRetainedSlice(left));
                left = 0;
            }
        }
        return c;
    }

    long buffered() {
        return readable;
    }

    void release() {
        ByteBuf p;
        while ((p = parts.poll()) != null) p.release();
        readable = 0;
    }
}
