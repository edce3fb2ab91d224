package dev.wanx.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TcpDialerTest {
    @Test void ipLiteralsAreTakenAsAddressesAndNamesAreLeftToTheResolver() throws Exception {
        assertEquals(InetAddress.getByName("10.1.2.3"), TcpDialer.literal("10.1.2.3"));
        assertEquals(InetAddress.getByName("::1"), TcpDialer.literal("::1"));
        assertNull(TcpDialer.literal("origin.example"));
        assertNull(TcpDialer.literal("fe80::1%eth0"), "a scoped literal keeps its scope only through the resolver");
        assertNull(TcpDialer.literal("10.1.2"), "not a full address");
    }

    @Test void aLiteralHostIsDialedWithItsFirstData() throws Exception {
        EventLoopGroup group = NettyTransport.group(1, "tcp-dialer-test");
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            TcpDialer d = new TcpDialer(group, 5000);
            Conduit c = d.dial("127.0.0.1", server.getLocalPort(), Unpooled.copiedBuffer("hi", StandardCharsets.US_ASCII))
                    .get(10, TimeUnit.SECONDS);
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                assertArrayEquals("hi".getBytes(StandardCharsets.US_ASCII), in.readNBytes(2));
            }
            c.abort(new Exception("test done"));
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }
}
