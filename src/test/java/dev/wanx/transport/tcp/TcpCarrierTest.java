package dev.wanx.transport.tcp;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.crypto.AuthorizedKeys;
import dev.wanx.crypto.HandshakeReplayGuard;
import dev.wanx.crypto.KeyFiles;
import dev.wanx.crypto.X25519KeyPair;
import dev.wanx.relay.NettyTransport;
import dev.wanx.transport.FrameLink;
import dev.wanx.transport.SessionStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpCarrierTest {
    private final SecureRandom rnd = new SecureRandom();
    private final X25519KeyPair far = X25519KeyPair.generate(rnd);
    private final X25519KeyPair near = X25519KeyPair.generate(rnd);
    private EventLoopGroup group;
    private TcpCarrierServer server;
    private final LinkedBlockingQueue<FrameLink> farLinks = new LinkedBlockingQueue<>();
    private final AtomicLong clock = new AtomicLong(1_000_000);

    @BeforeEach void up() throws Exception {
        group = NettyTransport.group(2, "test");
        Path dir = Files.createTempDirectory("tcpcarrier");
        KeyFiles.write(dir, "near", near);
        server = TcpCarrierServer.bind(group, group, new InetSocketAddress("127.0.0.1", 0), far,
                AuthorizedKeys.load(dir.resolve("near.pub")), new HandshakeReplayGuard(), rnd, farLinks::add);
    }

    @AfterEach void down() throws Exception {
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private CompletableFuture<FrameLink> connect(X25519KeyPair key) {
        return TcpCarrier.connect(group, server.localAddress(), key, far.publicKey(), Duration.ofSeconds(3), rnd,
                clock::incrementAndGet);
    }

    @Test void framesCrossBothWaysSealed() throws Exception {
        FrameLink n = connect(near).get(5, TimeUnit.SECONDS);
        FrameLink f = farLinks.poll(5, TimeUnit.SECONDS);
        assertNotNull(f);
        LinkedBlockingQueue<String> atFar = new LinkedBlockingQueue<>();
        f.eventLoop().submit(() -> f.setHandler(handler(atFar))).sync();
        n.eventLoop().submit(() -> {
            for (int i = 0; i < 100; i++) n.send(Unpooled.copiedBuffer("frame " + i, java.nio.charset.StandardCharsets.UTF_8));
            n.flush();
        }).sync();
        for (int i = 0; i < 100; i++) assertEquals("frame " + i, atFar.poll(5, TimeUnit.SECONDS));
        SessionStats s = n.carrierStats();
        assertTrue(s.wireBytesSent() > 100 * (7 + 16), "wire bytes include tags and lengths");
    }

    @Test void unauthorizedKeyGetsSilenceAndAClearError() {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> connect(X25519KeyPair.generate(rnd)).get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("authorized"), e.getCause().getMessage());
        assertNull(farLinks.poll());
    }

    @Test void replayedHelloGetsSilence() throws Exception {
        // Capture a legitimate HELLO by connecting with a fixed clock twice: the second is a replay.
        clock.set(42);
        connect(near).get(5, TimeUnit.SECONDS);
        clock.set(41); // older timestamp from the same key
        ExecutionException e = assertThrows(ExecutionException.class, () -> connect(near).get(5, TimeUnit.SECONDS));
        assertNotNull(e.getCause());
    }

    @Test void garbageGetsNotOneByte() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(server.localAddress());
            s.setSoTimeout(15_000);
            s.getOutputStream().write(new byte[] {0, 5, 'h', 'e', 'l', 'l', 'o'});
            InputStream in = s.getInputStream();
            assertEquals(-1, in.read());
        }
    }

    private static FrameLink.Handler handler(LinkedBlockingQueue<String> out) {
        return new FrameLink.Handler() {
            @Override public void onFrame(ByteBuf frame) {
                out.add(frame.toString(java.nio.charset.StandardCharsets.UTF_8));
                frame.release();
            }
            @Override public void onWritabilityChanged(boolean writable) { }
            @Override public void onClosed(Throwable cause) { }
        };
    }
}
