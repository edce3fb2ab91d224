package dev.wanx.reduce;

import io.netty.buffer.ByteBuf;
import java.util.SplittableRandom;

/**
 * Streaming FastCDC (Xia et al., "The Design of Fast Content-Defined Chunking for Data Deduplication Based Storage
 * Systems", IEEE TPDS 2020): gear rolling hash, cut-point skipping below the minimum size and normalized chunking
 * with two masks (a harder one before the normal size, an easier one after), which narrows the size distribution
 * around the average. Boundaries depend only on content, so an insertion only disturbs the chunks around it.
 *
 * <p>Streaming: {@link #feed} takes any slice of the stream; the unfinished tail is kept (at most {@code max} bytes)
 * together with the scan position and hash, so bytes are scanned once. Not thread-safe: one instance per stream
 * direction.
 */
public final class FastCdc {
    /** Receives each complete chunk; the array is a fresh copy the receiver may keep. */
    public interface ChunkConsumer {
        void chunk(byte[] data);
    }

    /** Fixed seed: both ends (and every release) must cut identically, or nothing would ever match. */
    private static final long GEAR_SEED = 0x5741_4E58_4344_4331L; // "WANXCDC1"
    static final long[] GEAR = new long[256];

    static {
        SplittableRandom r = new SplittableRandom(GEAR_SEED);
        for (int i = 0; i < 256; i++) GEAR[i] = r.nextLong();
    }

    public final int min;
    public final int avg;
    public final int max;
    private final long maskS; // avg bits + 2: fewer cuts before the normal size
    private final long maskL; // avg bits - 2: more cuts after it

    private byte[] buf;
    private int len;      // bytes held (the unfinished chunk)
    private int scanned;  // bytes of buf already run through the hash
    private long hash;

    public FastCdc() {
        this(2 * 1024, 8 * 1024, 64 * 1024);
    }

    public FastCdc(int min, int avg, int max) {
        if (Integer.bitCount(avg) != 1 || min < 64 || min >= avg || max <= avg) {
            throw new IllegalArgumentException("need 64 <= min < avg < max, avg a power of two: " + min + "/" + avg + "/" + max);
        }
        this.min = min;
        this.avg = avg;
        this.max = max;
        int bits = Integer.numberOfTrailingZeros(avg);
        // The gear hash shifts left, so its top bits mix the most bytes (up to the last 64): use top bits as masks.
        this.maskS = topBits(bits + 2);
        this.maskL = topBits(bits - 2);
        this.buf = new byte[max];
    }

    private static long topBits(int n) {
        return n <= 0 ? 0 : -1L << (64 - n);
    }

    /** Bytes held that do not yet form a complete chunk. */
    public int pending() {
        return len;
    }

    public void feed(byte[] data, int off, int n, ChunkConsumer out) {
        while (n > 0) {
            int take = Math.min(n, max - len);
            System.arraycopy(data, off, buf, len, take);
            len += take;
            off += take;
            n -= take;
            cutWhilePossible(out);
        }
    }

    /** Feeds the readable bytes of {@code data} without changing its reader index or releasing it. */
    public void feed(ByteBuf data, ChunkConsumer out) {
        int idx = data.readerIndex();
        int n = data.readableBytes();
        while (n > 0) {
            int take = Math.min(n, max - len);
            data.getBytes(idx, buf, len, take);
            len += take;
            idx += take;
            n -= take;
            cutWhilePossible(out);
        }
    }

    /** A copy of {@code n} bytes of the unfinished chunk from {@code from} (for sending them early). */
    public byte[] copyPending(int from, int n) {
        if (from < 0 || n < 0 || from + n > len) throw new IndexOutOfBoundsException();
        byte[] c = new byte[n];
        System.arraycopy(buf, from, c, 0, n);
        return c;
    }

    /** Ends the current chunk here (end of stream, or a flush for latency). */
    public void flush(ChunkConsumer out) {
        if (len > 0) emit(len, out);
    }

    private void cutWhilePossible(ChunkConsumer out) {
        while (true) {
            int cut = findCut();
            if (cut < 0) return;
            emit(cut, out);
        }
    }

    /** Continues the scan over buf[scanned, len); returns a cut length or -1 if more bytes are needed. */
    private int findCut() {
        if (len < min) return len == max ? len : -1;
        int i = Math.max(scanned, min); // cut-point skipping: nothing below min is hashed
        long h = hash;
        int normal = Math.min(avg, max);
        int end = Math.min(len, normal);
        final byte[] b = buf;
        for (; i < end; i++) {
            h = (h << 1) + GEAR[b[i] & 0xff];
            if ((h & maskS) == 0) return done(i + 1);
        }
        for (; i < len; i++) {
            h = (h << 1) + GEAR[b[i] & 0xff];
            if ((h & maskL) == 0) return done(i + 1);
        }
        scanned = i;
        hash = h;
        return len == max ? done(max) : -1;
    }

    private int done(int cut) {
        scanned = 0;
        hash = 0;
        return cut;
    }

    private void emit(int cut, ChunkConsumer out) {
        byte[] c = new byte[cut];
        System.arraycopy(buf, 0, c, 0, cut);
        System.arraycopy(buf, cut, buf, 0, len - cut);
        len -= cut;
        scanned = 0;
        hash = 0;
        out.chunk(c);
    }
}
