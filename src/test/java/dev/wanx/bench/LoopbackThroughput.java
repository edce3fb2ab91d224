package dev.wanx.bench;

import dev.wanx.crypto.KeyFiles;
import dev.wanx.crypto.X25519KeyPair;
import dev.wanx.far.FarConfig;
import dev.wanx.far.FarServer;
import dev.wanx.near.Forward;
import dev.wanx.near.NearConfig;
import dev.wanx.near.NearServer;
import dev.wanx.transport.Hint;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

/**
 * Loopback throughput of near+far (one JVM, no loss) next to plain loopback TCP, measured in the same run.
 * Reports Mbit/s and the process's CPU seconds per GB moved.
 * Run: scripts/bench-loopback [MiB] (or mvn test-compile and java -cp … dev.wanx.bench.LoopbackThroughput 1024;
 * {@code -Dbench.only=tcp} keeps only the wanx paths whose name contains "tcp").
 */
public final class LoopbackThroughput {
    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        long bytes = mib << 20;
        try (ServerSocket sink = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Path dir = startSinkAndKeys(sink);
            System.out.printf("%-16s %10s %12s %14s%n", "path", "MiB", "Mbit/s", "CPU s per GB");
            report("tcp-direct", bytes, new InetSocketAddress(InetAddress.getLoopbackAddress(), sink.getLocalPort()));
            String only = System.getProperty("bench.only", ""); // e.g. -Dbench.only=tcp: just the paths naming it
            for (NearConfig.Transport tr : new NearConfig.Transport[] {NearConfig.Transport.UDP, NearConfig.Transport.TCP}) {
                for (boolean reduce : new boolean[] {false, true}) {
                    if (!("wanx-" + tr.name().toLowerCase() + (reduce ? "+reduce" : "")).contains(only)) continue;
                    // Fresh state dirs per run: the random payload is never warm, so "+reduce" is the cold-path cost.
                    Path run = Files.createTempDirectory(dir, "run");
                    try (FarServer far = FarServer.start(new FarConfig(new InetSocketAddress("127.0.0.1", 0), dir.resolve("far.key"),
                            dir.resolve("near.pub"), List.of("127.0.0.1/32"), run.resolve("far-state"), Duration.ofSeconds(5),
                            dev.wanx.reduce.ReduceSettings.under(run.resolve("far-state"))));
                         NearServer near = NearServer.start(new NearConfig(List.of(far.localAddress()), dir.resolve("far.pub"),
                                 dir.resolve("near.key"), null, null, null, null,
                                 List.of(new Forward(Hint.RAW, new InetSocketAddress("127.0.0.1", 0), "127.0.0.1", sink.getLocalPort())),
                                 null, tr, run.resolve("near-state"), Duration.ofSeconds(3),
                                 reduce ? dev.wanx.reduce.ReduceSettings.under(run.resolve("near-state")) : dev.wanx.reduce.ReduceSettings.off()))) {
                        long end = System.nanoTime() + 10_000_000_000L;
                        while (near.sessions().current() == null && System.nanoTime() < end) Thread.sleep(10);
                        if (near.sessions().current() == null) throw new IllegalStateException("tunnel did not come up over " + tr);
                        String name = "wanx-" + tr.name().toLowerCase() + (reduce ? "+reduce" : "");
                        long app0 = reduce ? near.reduction().totals().appIn.get() : 0;
                        long wire0 = reduce ? near.reduction().totals().wireOut.get() : 0;
                        report(name, bytes, near.boundAddresses().get(0));
                        if (reduce) {
                            double ratio = (double) (near.reduction().totals().wireOut.get() - wire0)
                                    / (near.reduction().totals().appIn.get() - app0);
                            System.out.printf("%-16s codec wire bytes / app bytes (random data, incl. warm-up): %.4f%n", "", ratio);
                        }
                    }
                }
            }
        }
        System.exit(0);
    }

    private static void report(String name, long bytes, InetSocketAddress to) throws Exception {
        send(to, 64L << 20); // warm-up: JIT, pools, congestion state
        long cpu0 = cpuNanos();
        long t0 = System.nanoTime();
        send(to, bytes);
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpu = (cpuNanos() - cpu0) / 1e9;
        System.out.printf("%-16s %10d %12.0f %14.2f%n", name, bytes >> 20, bytes * 8 / secs / 1e6, cpu / (bytes / 1e9));
    }

    /** Starts draining {@code sink} on a daemon thread and writes a far and a near key pair to a new temp folder. */
    static Path startSinkAndKeys(ServerSocket sink) throws java.io.IOException {
        Thread t = new Thread(() -> drainForever(sink), "sink");
        t.setDaemon(true);
        t.start();
        Path dir = Files.createTempDirectory("wanx-bench");
        SecureRandom rnd = new SecureRandom();
        KeyFiles.write(dir, "far", X25519KeyPair.generate(rnd));
        KeyFiles.write(dir, "near", X25519KeyPair.generate(rnd));
        return dir;
    }

    /**
     * Sends random bytes that never repeat and waits for the sink's one-byte acknowledgement that it read them all.
     * Never repeating matters for "+reduce": one buffer sent over and over is warm after its first pass (the codec
     * sends references), which would measure the reference path instead of the cold one.
     */
    static void send(InetSocketAddress to, long bytes) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(to);
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[256 << 10];
            new SecureRandom().nextBytes(buf);
            java.nio.ByteBuffer words = java.nio.ByteBuffer.wrap(buf);
            out.write(java.nio.ByteBuffer.allocate(8).putLong(bytes).array());
            for (long left = bytes; left > 0; left -= buf.length) {
                // Bump one 8-byte word per KiB (cheap): every chunk (>= 2 KiB) of every pass is new, still random.
                for (int i = 0; i < buf.length; i += 1024) words.putLong(i, words.getLong(i) + 1);
                out.write(buf, 0, (int) Math.min(buf.length, left));
            }
            out.flush();
            if (s.getInputStream().read() != 1) throw new IllegalStateException("sink did not confirm");
        }
    }

    static void drainForever(ServerSocket ss) {
        while (true) {
            try {
                Socket s = ss.accept();
                Thread t = new Thread(() -> {
                    try (s) {
                        InputStream in = s.getInputStream();
                        long n = java.nio.ByteBuffer.wrap(in.readNBytes(8)).getLong();
                        byte[] buf = new byte[256 << 10];
                        while (n > 0) {
                            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
                            if (r < 0) throw new java.io.EOFException();
                            n -= r;
                        }
                        s.getOutputStream().write(1);
                    } catch (Exception e) {
                        System.err.println("sink: " + e);
                    }
                });
                t.setDaemon(true);
                t.start();
            } catch (Exception e) {
                return;
            }
        }
    }

    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
