package dev.wanx.transport.udp;

import dev.wanx.crypto.X25519KeyPair;

import dev.wanx.relay.NettyTransport;
import dev.wanx.transport.FrameLink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loopback throughput, no loss: near -> far bulk frames for a few seconds; prints MB/s and CPU seconds per GB
 * (process CPU, both ends). Not a test. Run after {@code mvn test-compile}:
 * {@code java -cp target/classes:target/test-classes:$(cat cp.txt) dev.wanx.transport.udp.UdpLoopbackBench [seconds]}.
 */
public final class UdpLoopbackBench {
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        EventLoopGroup group = NettyTransport.group(2, "bench");
        X25519KeyPair far = X25519KeyPair.generate(new java.security.SecureRandom());
        X25519KeyPair near = X25519KeyPair.generate(new java.security.SecureRandom());
        CompletableFuture<FrameLink> farLink = new CompletableFuture<>();
        AtomicLong received = new AtomicLong();
        UdpServer server = UdpServer.bind(group, new InetSocketAddress("127.0.0.1", 0), far, k -> Optional.of("near"), l -> {
            l.setHandler(new FrameLink.Handler() {
                public void onFrame(ByteBuf f) {
                    received.addAndGet(f.readableBytes());
                    f.release();
                }

                public void onWritabilityChanged(boolean w) { }

                public void onClosed(Throwable c) { }
            });
            farLink.complete(l);
        }, UdpOptions.defaults());
        FrameLink link = UdpCarrier.connect(group, server.localAddress(), near, far.publicKey(), UdpOptions.defaults()).get(5, TimeUnit.SECONDS);
        int size = link.maxFrameSize();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            while (link.isWritable()) {
                ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(size);
                b.writerIndex(size);
                link.send(b);
            }
            link.flush();
            if (System.nanoTime() < deadline) {
                link.eventLoop().schedule(pump[0], 200, TimeUnit.MICROSECONDS);
            }
        };
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Thread.sleep(200);
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        long r0 = received.get();
        link.eventLoop().execute(pump[0]);
        for (int i = 0; i < seconds; i++) {
            Thread.sleep(1000L);
            if (Boolean.getBoolean("bench.trace")) {
                System.out.println(received.get() / 1_000_000 + " MB " + link.eventLoop().submit(() -> ((UdpLink) link).debugState()).get());
            }
        }
        long bytes = received.get() - r0;
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        String state = link.eventLoop().submit(() -> ((UdpLink) link).debugState() + " " + ((UdpLink) link).counters()).get();
        System.out.printf("loopback udp (epoll=%s, AES-256-GCM, %d-byte frames): %.1f MB/s = %.0f Mbit/s, CPU %.1f s over %.1f s wall = %.1f CPU s/GB%n",
                NettyTransport.epoll(), size, bytes / secs / 1e6, bytes * 8 / secs / 1e6, cpu, secs, cpu / (bytes / 1e9));
        System.out.println(state);
        link.close("bench done");
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await();
    }
}
