package dev.wanx.reduce;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecordReaderTest {
    static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    /** Records of random types and sizes (0 to 70 KB), as bodies and as one wire byte stream. */
    static byte[] stream(Random r, int n, List<byte[]> bodies, List<Integer> types) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            byte[] body = new byte[r.nextInt(4) == 0 ? r.nextInt(8) : r.nextInt(70_000)];
            r.nextBytes(body);
            int type = r.nextInt(256);
            bodies.add(body);
            types.add(type);
            out.write(type);
            out.writeBytes(new byte[] {(byte) (body.length >>> 24), (byte) (body.length >>> 16), (byte) (body.length >>> 8), (byte) body.length});
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    @Test void cutsRecordsAcrossAnySplitAndReleasesEveryPart() {
        Random r = new Random(1);
        for (int round = 0; round < 20; round++) {
            List<byte[]> bodies = new ArrayList<>();
            List<Integer> types = new ArrayList<>();
            byte[] wire = stream(r, 60, bodies, types);
            RecordReader reader = new RecordReader(ALLOC);
            List<ByteBuf> parts = new ArrayList<>();
            int got = 0;
            for (int off = 0; off < wire.length; ) {
                // Tiny pieces (headers split across buffers), frame-sized ones and whole-record ones.
                int n = Math.min(wire.length - off, switch (r.nextInt(3)) {
                    case 0 -> 1 + r.nextInt(6);
                    case 1 -> 1 + r.nextInt(16 * 1024);
                    default -> 1 + r.nextInt(200_000);
                });
                ByteBuf part = ALLOC.directBuffer(n).writeBytes(wire, off, n);
                off += n;
                parts.add(part);
                reader.add(part);
                ByteBuf rec;
                while ((rec = reader.next()) != null) {
                    try {
                        assertEquals((int) types.get(got), ReduceWire.openRecord(rec), "type of record " + got);
                        assertArrayEquals(bodies.get(got), ByteBufUtil.getBytes(rec), "body of record " + got);
                    } finally {
                        rec.release();
                    }
                    got++;
                }
            }
            assertEquals(bodies.size(), got);
            assertEquals(0, reader.buffered());
            for (ByteBuf p : parts) assertEquals(0, p.refCnt(), "every inbound buffer released once its records were");
        }
    }

    @Test void releaseFreesAnIncompleteRecord() {
        RecordReader reader = new RecordReader(ALLOC);
        ByteBuf a = ALLOC.directBuffer().writeByte(ReduceWire.LITERAL).writeInt(100).writeZero(30);
        ByteBuf b = ALLOC.directBuffer().writeZero(30);
        reader.add(a);
        reader.add(b);
        assertNull(reader.next());
        reader.release();
        assertEquals(0, a.refCnt());
        assertEquals(0, b.refCnt());
    }

    @Test void aRecordKeepsItsInboundBufferAliveInsteadOfCopyingIt() {
        RecordReader reader = new RecordReader(ALLOC);
        ByteBuf in = ALLOC.directBuffer().writeByte(ReduceWire.LITERAL).writeInt(3).writeBytes(new byte[] {1, 2, 3})
                .writeByte(ReduceWire.ACK).writeInt(1).writeByte(7);
        reader.add(in);
        ByteBuf first = reader.next();
        ByteBuf second = reader.next();
        assertNull(reader.next());
        assertEquals(ReduceWire.LITERAL, ReduceWire.openRecord(first));
        assertArrayEquals(new byte[] {1, 2, 3}, ByteBufUtil.getBytes(first));
        assertEquals(ReduceWire.ACK, ReduceWire.openRecord(second));
        second.release();
        assertTrue(in.refCnt() > 0, "the first record is a slice of the inbound buffer");
        first.release();
        assertEquals(0, in.refCnt());
    }

    @Test void oversizedLengthIsAProtocolError() {
        RecordReader reader = new RecordReader(ALLOC);
        ByteBuf in = ALLOC.directBuffer().writeByte(ReduceWire.LITERAL).writeInt(ReduceWire.MAX_BODY + 1);
        reader.add(in);
        assertThrows(ReduceWire.ProtocolException.class, reader::next);
        reader.release();
        assertEquals(0, in.refCnt());
    }
}
