package dev.wanx.transport.udp;

import dev.wanx.crypto.X25519KeyPair;

import dev.wanx.relay.NettyTransport;
import dev.wanx.transport.FrameLink;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;

import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Test fixture: a far server and a near link on loopback, plus a sink that checks frames arrive once. */
final class LinkPair implements AutoCloseable {
    final EventLoopGroup group = NettyTransport.group(2, "udp-test");
    final X25519KeyPair farKeys = X25519KeyPair.generate(new java.security.SecureRandom());
    final X25519KeyPair nearKeys = X25519KeyPair.generate(new java.security.SecureRandom());
    final CompletableFuture<FrameLink> farLink = new CompletableFuture<>();
    final UdpServer server;
    final FrameLink near;

    LinkPair(UdpOptions nearOpts, UdpOptions farOpts) throws Exception {
        this(nearOpts, farOpts, UdpServer.DEFAULT_RETRY_ABOVE);
    }

    /** @param retryAbove the far's load threshold for retry tokens (0: every new peer is retried) */
    LinkPair(UdpOptions nearOpts, UdpOptions farOpts, int retryAbove) throws Exception {
        byte[] allowed = nearKeys.publicKey();
        server = UdpServer.bind(group, new InetSocketAddress("127.0.0.1", 0), farKeys,
                k -> java.util.Arrays.equals(k, allowed) ? Optional.of("near") : Optional.empty(),
                farLink::complete, farOpts).withRetryAbove(retryAbove);
        near = UdpCarrier.connect(group, server.localAddress(), nearKeys, farKeys.publicKey(), nearOpts).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        near.close("test done");
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** Receives frames "seq(8) | payload", checks each seq arrives exactly once, hashes payloads in seq order. */
    static final class Sink implements FrameLink.Handler {
        final int expected;
        final byte[][] got;
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<String> error = new AtomicReference<>();
        int count;

        Sink(int expected) {
            this.expected = expected;
            this.got = new byte[expected][];
        }

        @Override
        public void onFrame(ByteBuf f) {
            try {
                int seq = (int) f.readLong();
                if (seq < 0 || seq >= expected) {
                    error.compareAndSet(null, "bad seq " + seq);
                } else if (got[seq] != null) {
                    error.compareAndSet(null, "frame " + seq + " delivered twice");
                } else {
                    byte[] b = new byte[f.readableBytes()];
                    f.readBytes(b);
                    got[seq] = b;
                    if (++count == expected) {
                        done.countDown();
                    }
                }
            } finally {
                f.release();
            }
        }

        @Override
        public void onWritabilityChanged(boolean writable) { }

        @Override
        public void onClosed(Throwable cause) { }

        byte[] sha() throws Exception {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (byte[] b : got) {
                md.update(b);
            }
            return md.digest();
        }
    }

    /**
     * Sends n frames of "seq | size pseudo-random bytes" from {@code from}, respecting writability, on its event loop.
     * Returns the SHA-256 of all payloads in order.
     */
    static byte[] pump(FrameLink from, int n, int size, long seed) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        java.util.Random rnd = new java.util.Random(seed);
        byte[][] payloads = new byte[n][size];
        for (byte[] p : payloads) {
            rnd.nextBytes(p);
            md.update(p);
        }
        int[] next = {0};
        Runnable[] step = new Runnable[1];
        step[0] = () -> {
            while (next[0] < n && from.isWritable()) {
                ByteBuf b = io.netty.buffer.PooledByteBufAllocator.DEFAULT.buffer(8 + size);
                b.writeLong(next[0]);
                b.writeBytes(payloads[next[0]]);
                from.send(b);
                next[0]++;
            }
            from.flush();
            if (next[0] < n) {
                from.eventLoop().schedule(step[0], 1, TimeUnit.MILLISECONDS);
            }
        };
        from.eventLoop().execute(step[0]);
        return md.digest();
    }
}
