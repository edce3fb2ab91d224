package dev.wanx.crypto;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Seal and open throughput of {@link Aead} for a UDP-sized packet and a 16 KiB record, heap and direct buffers.
 * Run (after {@code mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt}):
 * <pre>java -cp target/test-classes:target/classes:$(cat target/cp.txt) org.openjdk.jmh.Main AeadBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s</pre>
 * MB/s = ops/s x size / 1e6.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AeadBenchmark {
    @Param({"1200", "16384"})
    public int size;

    @Param({"direct", "heap"})
    public String memory;

    private Aead aead;
    private ByteBuf header;
    private ByteBuf plaintext;
    private ByteBuf out;
    private long counter;
    private ByteBuf sealed;
    private Aead opener;

    @Setup(Level.Trial)
    public void setUp() {
        Random r = new Random(1);
        byte[] key = new byte[32];
        r.nextBytes(key);
        aead = new Aead(key);
        byte[] data = new byte[size];
        r.nextBytes(data);
        boolean direct = memory.equals("direct");
        PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        header = (direct ? alloc.directBuffer(16) : alloc.heapBuffer(16)).writeZero(16);
        plaintext = (direct ? alloc.directBuffer(size) : alloc.heapBuffer(size)).writeBytes(data);
        out = direct ? alloc.directBuffer(size + 64) : alloc.heapBuffer(size + 64);
        sealed = direct ? alloc.directBuffer(size + 64) : alloc.heapBuffer(size + 64);
        new Aead(key).seal(0, header, plaintext, sealed);
        opener = new Aead(key);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        header.release();
        plaintext.release();
        out.release();
        sealed.release();
    }

    @Benchmark
    public int seal() {
        out.clear();
        aead.seal(counter++, header, plaintext, out);
        return out.writerIndex();
    }

    /** Decrypt and verify (the same packet each time: opening may repeat a counter). */
    @Benchmark
    public boolean open() {
        out.clear();
        return opener.open(0, header, sealed, out);
    }
}
