package dev.wanx.bench;

import dev.wanx.crypto.KeyFiles;
import dev.wanx.crypto.X25519KeyPair;
import dev.wanx.far.FarConfig;
import dev.wanx.far.FarServer;
import dev.wanx.near.Forward;
import dev.wanx.near.NearConfig;
import dev.wanx.near.NearServer;
import dev.wanx.transport.Hint;
import dev.wanx.transport.SessionStats;
import dev.wanx.transport.TunnelSession;
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
 * Near+far over the UDP carrier only (one JVM, loopback, no reduction), several rounds after one warm-up, so
 * two builds can be compared alternating in the same run (CPU seconds per GB is the steadier figure on a busy host).
 * Run: java -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.wanx.bench.UdpLoopback [MiB per round] [rounds] [warm-up MiB]
 */
public final class UdpLoopback {
    public static void main(String[] args) throws Exception {
        long bytes = (args.length > 0 ? Long.parseLong(args[0]) : 256) << 20;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        long warmUp = (args.length > 2 ? Long.parseLong(args[2]) : 512) << 20; // C2 keeps compiling for ~20 s on 2 cores
        try (ServerSocket sink = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> drainForever(sink), "sink");
            t.setDaemon(true);
            t.start();
            Path dir = Files.createTempDirectory("wanx-bench");
            SecureRandom rnd = new SecureRandom();
            KeyFiles.write(dir, "far", X25519KeyPair.generate(rnd));
            KeyFiles.write(dir, "near", X25519KeyPair.generate(rnd));
            try (FarServer far = FarServer.start(new FarConfig(new InetSocketAddress("127.0.0.1", 0), dir.resolve("far.key"),
                    dir.resolve("near.pub"), List.of("127.0.0.1/32"), dir.resolve("far-state"), Duration.ofSeconds(5),
                    dev.wanx.reduce.ReduceSettings.under(dir.resolve("far-state"))));
                 NearServer near = NearServer.start(new NearConfig(List.of(far.localAddress()), dir.resolve("far.pub"),
                         dir.resolve("near.key"), null, null, null, null,
                         List.of(new Forward(Hint.RAW, new InetSocketAddress("127.0.0.1", 0), "127.0.0.1", sink.getLocalPort())),
                         null, NearConfig.Transport.UDP, dir.resolve("near-state"), Duration.ofSeconds(3),
                         dev.wanx.reduce.ReduceSettings.off()))) {
                long end = System.nanoTime() + 10_000_000_000L;
                while (near.sessions().current() == null && System.nanoTime() < end) Thread.sleep(10);
                TunnelSession s = near.sessions().current();
                if (s == null) throw new IllegalStateException("tunnel did not come up over udp");
                InetSocketAddress to = near.boundAddresses().get(0);
                send(to, warmUp); // JIT, pools, congestion state
                for (int r = 0; r < rounds; r++) {
                    SessionStats a = s.stats();
                    long cpu0 = cpuNanos();
                    long t0 = System.nanoTime();
                    send(to, bytes);
                    double secs = (System.nanoTime() - t0) / 1e9;
                    double cpu = (cpuNanos() - cpu0) / 1e9;
                    SessionStats b = s.stats();
                    System.out.printf("wanx-udp %5d MiB %7.0f Mbit/s %6.2f CPU s/GB  wire/app %.3f  loss %.4f%n", bytes >> 20,
                            bytes * 8 / secs / 1e6, cpu / (bytes / 1e9),
                            (double) (b.wireBytesSent() - a.wireBytesSent()) / bytes, b.lossRate());
                }
            }
        }
        System.exit(0);
    }

    /** Sends bytes and waits for the sink's one-byte acknowledgement that it read them all. */
    private static void send(InetSocketAddress to, long bytes) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(to);
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[256 << 10];
            new SecureRandom().nextBytes(buf);
            out.write(java.nio.ByteBuffer.allocate(8).putLong(bytes).array());
            for (long left = bytes; left > 0; left -= buf.length) out.write(buf, 0, (int) Math.min(buf.length, left));
            out.flush();
            if (s.getInputStream().read() != 1) throw new IllegalStateException("sink did not confirm");
        }
    }

    private static void drainForever(ServerSocket ss) {
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

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
