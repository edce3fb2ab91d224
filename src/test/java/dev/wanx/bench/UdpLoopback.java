package dev.wanx.bench;

import dev.wanx.far.FarConfig;
import dev.wanx.far.FarServer;
import dev.wanx.near.Forward;
import dev.wanx.near.NearConfig;
import dev.wanx.near.NearServer;
import dev.wanx.transport.Hint;
import dev.wanx.transport.SessionStats;
import dev.wanx.transport.TunnelSession;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
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
            Path dir = LoopbackThroughput.startSinkAndKeys(sink);
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

    private static void send(InetSocketAddress to, long bytes) throws Exception { LoopbackThroughput.send(to, bytes); }

    private static void drainForever(ServerSocket ss) { LoopbackThroughput.drainForever(ss); }

    private static long cpuNanos() { return LoopbackThroughput.cpuNanos(); }
}
