package dev.wanx.near.forward;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.near.Forward;
import dev.wanx.near.TestNet;
import dev.wanx.transport.DialError;
import dev.wanx.transport.Hint;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ForwardFrontendTest {
    private final TestNet net = new TestNet();

    @AfterEach void tearDown() { net.close(); }

    @Test void relaysPayloadsOfAllSizesWithHalfClose() throws Exception {
        InetSocketAddress echo = net.echoServer("127.0.0.1");
        TestNet.DirectDialer dialer = net.direct();
        Forward fwd = new Forward(Hint.SMB, new InetSocketAddress("127.0.0.1", 0), "127.0.0.1", echo.getPort());
        Channel l = net.track(ForwardFrontend.bind(net.boss, net.workers, fwd, dialer));
        for (int size : new int[] {0, 1, 65_536, 3 * 1024 * 1024 + 7}) {
            byte[] data = TestNet.random(size, size);
            try (Socket s = new Socket("127.0.0.1", TestNet.port(l))) {
                byte[] got = TestNet.echoRoundTrip(s, data);
                assertEquals(TestNet.sha256(data), TestNet.sha256(got), "size " + size);
            }
        }
        assertEquals(Hint.SMB, dialer.dests.get(0).hint());
        assertEquals(echo.getPort(), dialer.dests.get(0).port());
    }

    @Test void failedDialResetsClientAndServerKeepsServing() throws Exception {
        Forward fwd = new Forward(Hint.RAW, new InetSocketAddress("127.0.0.1", 0), "127.0.0.1", 9);
        Channel l = net.track(ForwardFrontend.bind(net.boss, net.workers, fwd, TestNet.failing(DialError.REFUSED)));
        for (int i = 0; i < 2; i++) {
            try (Socket s = new Socket("127.0.0.1", TestNet.port(l))) {
                try {
                    assertEquals(-1, s.getInputStream().read());
                } catch (SocketException reset) {
                    // RST: the expected way to say "could not connect" without a protocol
                }
            }
        }
    }

    @Test void bindFailureSaysAddressInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Forward fwd = new Forward(Hint.RAW, new InetSocketAddress("127.0.0.1", taken.getLocalPort()), "x", 1);
            IOException e = assertThrows(IOException.class,
                    () -> ForwardFrontend.bind(net.boss, net.workers, fwd, TestNet.failing(DialError.REFUSED)));
            assertTrue(e.getMessage().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": address in use"),
                    e.getMessage());
        }
    }
}
