package dev.wanx.reduce;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Single-thread throughput of the reduction hot paths over a 4 MiB buffer per operation (so MB/s = 4.19 x ops/s):
 * <ul>
 * <li>{@code coldEncode}: FastCDC + SHA-256 + dictionary write of new chunks (prepareSend on fresh content).</li>
 * <li>{@code warmDecode}: dictionary look-up of known chunks + SHA-256 verification of every chunk.</li>
 * <li>{@code chunkOnly}, {@code fingerprintOnly}: the parts, to see where time goes.</li>
 * </ul>
 * Run: {@code java -cp target/test-classes:target/classes:$(cat cp.txt) org.openjdk.jmh.Main ReduceBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ReduceBenchmark {
    static final int SIZE = 4 << 20;

    byte[] data;
    Path dir;
    ChunkStore store;
    long peer = ChunkStore.peerKey("bench");
    List<Fingerprint> warmFps;
    long counter;

    @Setup(Level.Trial) public void setup() throws Exception {
        data = new byte[SIZE];
        new Random(1).nextBytes(data);
        dir = Files.createTempDirectory("wanx-bench");
        store = ChunkStore.open(dir, 256L << 20); // FIFO keeps the bench disk use bounded
        warmFps = new ArrayList<>();
        List<byte[]> chunks = new ArrayList<>();
        FastCdc c = new FastCdc();
        c.feed(data, 0, data.length, chunks::add);
        c.flush(chunks::add);
        for (byte[] ch : chunks) warmFps.add(Fingerprint.of(ch));
        store.learn(peer, warmFps, chunks);
        store.flush();
    }

    @TearDown(Level.Trial) public void tearDown() throws Exception {
        store.close();
        ReducingConduitTest.deleteTree(dir);
    }

    @Benchmark public void coldEncode(Blackhole bh) throws Exception {
        // New content every call (a counter stamped every 4 KiB), so every chunk is a dictionary miss and a write.
        counter++;
        for (int i = 0; i < SIZE; i += 4096) {
            data[i] = (byte) counter;
            data[i + 1] = (byte) (counter >>> 8);
            data[i + 2] = (byte) (counter >>> 16);
        }
        List<byte[]> chunks = new ArrayList<>(600);
        List<Fingerprint> fps = new ArrayList<>(600);
        FastCdc c = new FastCdc();
        FastCdc.ChunkConsumer sink = ch -> {
            chunks.add(ch);
            fps.add(Fingerprint.of(ch));
        };
        c.feed(data, 0, SIZE, sink);
        c.flush(sink);
        bh.consume(store.prepareSend(peer, fps, chunks));
    }

    @Benchmark public void warmDecode(Blackhole bh) throws Exception {
        List<byte[]> got = store.lookup(peer, warmFps);
        for (int i = 0; i < got.size(); i++) {
            if (!warmFps.get(i).matches(got.get(i))) throw new IllegalStateException("mismatch");
        }
        bh.consume(got);
    }

    @Benchmark public void chunkOnly(Blackhole bh) {
        FastCdc c = new FastCdc();
        c.feed(data, 0, SIZE, bh::consume);
        c.flush(bh::consume);
    }

    @Benchmark public void fingerprintOnly(Blackhole bh) {
        for (int i = 0; i < SIZE; i += 8192) bh.consume(Fingerprint.of(data, i, 8192));
    }
}
