package dev.wanx.reduce;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FastCdcTest {
    static List<byte[]> chunk(FastCdc c, byte[] data, int feedSize) {
        List<byte[]> out = new ArrayList<>();
        for (int off = 0; off < data.length; off += feedSize) c.feed(data, off, Math.min(feedSize, data.length - off), out::add);
        c.flush(out::add);
        return out;
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test void sizesWithinBoundsAndAverageNearTarget() {
        byte[] data = random(8 << 20, 1);
        List<byte[]> chunks = chunk(new FastCdc(), data, 1 << 20);
        long total = 0;
        for (int i = 0; i < chunks.size(); i++) {
            int n = chunks.get(i).length;
            total += n;
            if (i < chunks.size() - 1) {
                assertTrue(n >= 2048 && n <= 65536, "chunk " + i + " size " + n);
            }
        }
        assertEquals(data.length, total);
        double avg = (double) total / chunks.size();
        // Normalized chunking puts the mean close to the target (min size adds to it): 6-12 KiB.
        assertTrue(avg > 6 * 1024 && avg < 12 * 1024, "average " + avg);
    }

    @Test void streamingIsIndependentOfFeedSizes() {
        byte[] data = random(2 << 20, 2);
        List<byte[]> a = chunk(new FastCdc(), data, data.length);
        List<byte[]> b = chunk(new FastCdc(), data, 1);
        List<byte[]> c = chunk(new FastCdc(), data, 7777);
        assertEquals(sizes(a), sizes(b));
        assertEquals(sizes(a), sizes(c));
        FastCdc viaBuf = new FastCdc();
        List<byte[]> d = new ArrayList<>();
        ByteBuf buf = Unpooled.wrappedBuffer(data);
        viaBuf.feed(buf, d::add);
        buf.release();
        viaBuf.flush(d::add);
        assertEquals(sizes(a), sizes(d));
    }

    @Test void shiftResistanceUnderInsertionNearStart() {
        byte[] data = random(4 << 20, 3);
        byte[] ins = new byte[data.length + 100];
        System.arraycopy(data, 0, ins, 0, 5000);
        System.arraycopy(random(100, 9), 0, ins, 5000, 100);
        System.arraycopy(data, 5000, ins, 5100, data.length - 5000);
        Set<String> before = fps(chunk(new FastCdc(), data, 65536));
        List<byte[]> after = chunk(new FastCdc(), ins, 65536);
        int same = 0;
        for (byte[] c : after) if (before.contains(Fingerprint.of(c).toString() + c.length)) same++;
        assertTrue(same >= after.size() - 3, "unchanged chunks " + same + " of " + after.size());
    }

    @Test void smallConfigurationWorks() {
        FastCdc c = new FastCdc(256, 1024, 4096);
        List<byte[]> chunks = chunk(c, random(1 << 20, 4), 1000);
        for (int i = 0; i < chunks.size() - 1; i++) assertTrue(chunks.get(i).length >= 256 && chunks.get(i).length <= 4096);
        assertThrows(IllegalArgumentException.class, () -> new FastCdc(2048, 3000, 65536));
    }

    @Test void uniformDataCutsAtMax() {
        List<byte[]> chunks = chunk(new FastCdc(), new byte[300_000], 4096);
        assertEquals(65536, chunks.get(0).length);
    }

    @Test void sizesParse() {
        assertEquals(10L << 30, Sizes.parse("10G"));
        assertEquals(512L << 20, Sizes.parse("512M"));
        assertEquals(512L << 20, Sizes.parse("512MiB"));
        assertEquals(1234, Sizes.parse("1234"));
        assertEquals(1536, Sizes.parse("1.5k"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("ten"));
    }

    static List<Integer> sizes(List<byte[]> l) {
        List<Integer> s = new ArrayList<>();
        for (byte[] b : l) s.add(b.length);
        return s;
    }

    static Set<String> fps(List<byte[]> l) {
        Set<String> s = new HashSet<>();
        for (byte[] b : l) s.add(Fingerprint.of(b).toString() + b.length);
        return s;
    }
}
