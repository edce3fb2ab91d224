package dev.wanx.transport.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A DATA frame cut in two for a carrier whose packets shrank: same stream, adjacent offsets, FIN on the last part. */
class FrameSplitTest {
    private static ByteBuf data(long stream, long offset, boolean fin, byte[] bytes) {
        return Frame.dataHeader(UnpooledByteBufAllocator.DEFAULT, stream, offset, fin, bytes.length).writeBytes(bytes);
    }

    @Test
    void dataSplitsIntoAdjacentPiecesAndKeepsFinOnTheLast() {
        byte[] bytes = new byte[1300];
        new java.util.Random(1).nextBytes(bytes);
        ByteBuf f = data(5, 4000, true, bytes);
        ByteBuf[] parts = Frame.split(f, 1000);
        assertEquals(2, parts.length);
        assertEquals(1000, parts[0].readableBytes());
        assertEquals(Frame.DATA, Frame.type(parts[1]));
        assertEquals(5, Frame.streamId(parts[0]));
        assertEquals(5, Frame.streamId(parts[1]));
        assertEquals(4000, Frame.dataOffset(parts[0]));
        assertEquals(4000 + 1000 - Frame.DATA_HEADER, Frame.dataOffset(parts[1]));
        assertFalse(Frame.dataFin(parts[0]));
        assertTrue(Frame.dataFin(parts[1]));
        byte[] joined = new byte[bytes.length];
        int a = parts[0].readableBytes() - Frame.DATA_HEADER;
        parts[0].getBytes(Frame.DATA_HEADER, joined, 0, a);
        parts[1].getBytes(Frame.DATA_HEADER, joined, a, bytes.length - a);
        assertArrayEquals(bytes, joined);
        assertEquals(1, f.refCnt(), "the original is the caller's");
        f.release();
        parts[0].release();
        parts[1].release();
    }

    @Test
    void otherFramesOrFramesThatFitAreNotSplit() {
        ByteBuf small = data(1, 0, false, new byte[10]);
        assertNull(Frame.split(small, 1000), "fits already");
        assertNull(Frame.split(small, Frame.DATA_HEADER), "no data would fit");
        ByteBuf ping = Unpooled.buffer().writeByte(Frame.PING).writeLong(7).writeZero(2000);
        assertNull(Frame.split(ping, 1000), "only DATA is cut");
        small.release();
        ping.release();
    }

    @Test
    void compactDataSplitsTooAndKeepsItsType() {
        byte[] bytes = new byte[1300];
        new java.util.Random(2).nextBytes(bytes);
        long offset = (1L << 30) - 500; // the second part's offset needs a longer varint than the first's
        ByteBuf f = Frame.dataHeader(UnpooledByteBufAllocator.DEFAULT, 70, offset, true, bytes.length, true).writeBytes(bytes);
        assertEquals(1 + 2 + 4 + 1, Frame.dataHeaderSize(f));
        ByteBuf[] parts = Frame.split(f, 1000);
        assertEquals(1000, parts[0].readableBytes());
        int a = 1000 - Frame.dataHeaderSize(parts[0]);
        for (ByteBuf p : parts) {
            assertEquals(Frame.DATA_V, Frame.type(p));
            assertEquals(70, Frame.streamId(p));
        }
        assertEquals(offset, Frame.dataOffset(parts[0]));
        assertEquals(offset + a, Frame.dataOffset(parts[1]));
        assertEquals(1 + 2 + 8 + 1, Frame.dataHeaderSize(parts[1]));
        assertFalse(Frame.dataFin(parts[0]));
        assertTrue(Frame.dataFin(parts[1]));
        byte[] joined = new byte[bytes.length];
        parts[0].getBytes(Frame.dataHeaderSize(parts[0]), joined, 0, a);
        parts[1].getBytes(Frame.dataHeaderSize(parts[1]), joined, a, bytes.length - a);
        assertArrayEquals(bytes, joined);
        f.release();
        parts[0].release();
        parts[1].release();
    }

    @Test
    void compactHeadersReadBackAtEveryVarintLength() {
        long[] values = {0, 1, 63, 64, 16383, 16384, (1L << 30) - 1, 1L << 30, dev.wanx.transport.QuicVarint.MAX};
        for (long id : values) {
            for (long off : values) {
                ByteBuf f = Frame.dataHeader(UnpooledByteBufAllocator.DEFAULT, id, off, (id & 1) == 0, 2, true).writeShort(0x1234);
                int h = Frame.dataHeaderSize(f);
                assertEquals(Frame.dataHeaderSize(id, off, true), h);
                assertEquals(h + 2, f.readableBytes());
                assertEquals(id, Frame.streamId(f));
                assertEquals(off, Frame.dataOffset(f));
                assertEquals((id & 1) == 0, Frame.dataFin(f));
                assertEquals(0x1234, f.getUnsignedShort(h));
                // any cut inside the header is malformed, never a wrong read
                for (int cut = 1; cut < h; cut++) assertEquals(-1, Frame.dataHeaderSize(f.slice(0, cut)), "cut " + cut);
                f.release();
            }
        }
    }
}
