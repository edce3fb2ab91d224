package dev.wanx.near.socks;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.near.FrontendLimits;
import dev.wanx.near.TestNet;
import dev.wanx.transport.DialError;
import io.netty.channel.Channel;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real sockets against the SOCKS5 front-end, a hand-written client so every byte is under test control. */
@Timeout(60)
class Socks5FrontendTest {
    private final TestNet net = new TestNet();

    @AfterEach void tearDown() { net.close(); }

    private Channel bind(dev.wanx.near.OutboundDialer d, String user, String pass) throws Exception {
        return net.track(Socks5Frontend.bind(net.boss, net.workers, new InetSocketAddress("127.0.0.1", 0), d, user, pass,
                FrontendLimits.DEFAULTS.withHandshakeTimeout(Duration.ofMillis(300))));
    }

    static byte[] connectRequest(int atyp, byte[] addr, int port) {
        byte[] r = new byte[4 + (atyp == 3 ? 1 : 0) + addr.length + 2];
        r[0] = 5; r[1] = 1; r[2] = 0; r[3] = (byte) atyp;
        int i = 4;
        if (atyp == 3) r[i++] = (byte) addr.length;
        System.arraycopy(addr, 0, r, i, addr.length);
        i += addr.length;
        r[i] = (byte) (port >> 8);
        r[i + 1] = (byte) port;
        return r;
    }

    /** Greets (with auth if user != null), sends the request, returns the reply code. */
    static int handshake(Socket s, String user, String pass, byte[] request) throws Exception {
        OutputStream out = s.getOutputStream();
        DataInputStream in = new DataInputStream(s.getInputStream());
        out.write(user == null ? new byte[] {5, 1, 0} : new byte[] {5, 1, 2});
        assertEquals(5, in.readUnsignedByte());
        int method = in.readUnsignedByte();
        if (user != null) {
            assertEquals(2, method);
            byte[] u = user.getBytes(StandardCharsets.US_ASCII);
            byte[] p = pass.getBytes(StandardCharsets.US_ASCII);
            out.write(1); out.write(u.length); out.write(u); out.write(p.length); out.write(p);
            assertEquals(1, in.readUnsignedByte());
            int status = in.readUnsignedByte();
            if (status != 0) return -1;
        } else {
            assertEquals(0, method);
        }
        out.write(request);
        return readReply(in);
    }

    static int readReply(DataInputStream in) throws Exception {
        assertEquals(5, in.readUnsignedByte());
        int rep = in.readUnsignedByte();
        in.readUnsignedByte();
        int atyp = in.readUnsignedByte();
        int len = atyp == 1 ? 4 : atyp == 4 ? 16 : in.readUnsignedByte();
        in.readNBytes(len + 2);
        return rep;
    }

    private void echoThrough(Socket s, int size) throws Exception {
        byte[] data = TestNet.random(size, size * 31L);
        assertEquals(TestNet.sha256(data), TestNet.sha256(TestNet.echoRoundTrip(s, data)), "size " + size);
    }

    @Test void connectIpv4AllSizes() throws Exception {
        InetSocketAddress echo = net.echoServer("127.0.0.1");
        Channel l = bind(net.direct(), null, null);
        for (int size : new int[] {0, 1, 100_000, 2 * 1024 * 1024 + 3}) {
            try (Socket s = new Socket("127.0.0.1", TestNet.port(l))) {
                assertEquals(0, handshake(s, null, null, connectRequest(1, new byte[] {127, 0, 0, 1}, echo.getPort())));
                echoThrough(s, size);
            }
        }
    }

    @Test void connectDomainWithAuth() throws Exception {
        InetSocketAddress echo = net.echoServer("127.0.0.1");
        TestNet.DirectDialer d = net.direct();
        Channel l = bind(d, "alice", "s3cret");
        try (Socket s = new Socket("127.0.0.1", TestNet.port(l))) {
            assertEquals(0, handshake(s, "alice", "s3cret",
                    connectRequest(3, "localhost".getBytes(StandardCharsets.US_ASCII), echo.getPort())));
            echoThrough(s, 50_000);
        }
        assertEquals("localhost", d.dests.get(0).host());
        try (Socket s = new Socket("127.0.0.1", TestNet.port(l))) {
            assertEquals(-1, handshake(s, "alice", "wrong", connectRequest(1, new byte[] {127, 0, 0, 1}, echo.getPort())));
            assertEquals(-1, s.getInputStream().read());
        }
        try (Socket s = new Socket("127.0.0.1", TestNet.port(l))) { // no-auth offer to an auth server: unacceptable
            s.getOutputStream().write(new byte[] {5, 1, 0});
            assertArrayEquals(new byte[] {5, (byte) 0xFF}, TestNet.readN(s.getInputStream(), 2));
            assertEquals(-1, s.getInputStream().read());
        }
    }

    @Test void connectIpv6() throws Exception {
        InetSocketAddress echo;
        try {
            echo = net.echoServer("::1");
        } catch (RuntimeException noV6) {
            Assumptions.abort("IPv6 loopback not available: " + noV6);
            return;
        }
        Channel l = bind(net.direct(), null, null);
        try (Socket s = new Socket("127.0.0.1", TestNet.port(l))) {
            byte[] v6 = InetAddress.getByName("::1").getAddress();
            assertEquals(0, handshake(s, null, null, connectRequest(4, v6, echo.getPort())));
            echoThrough(s, 10_000);
        }
    }

    @Test void pipelinedHandshakeAndDataAreNotLost() throws Exception {
        InetSocketAddress echo = net.echoServer("127.0.0.1");
        Channel l = bind(net.direct(), null, null);
        try (Socket s = new Socket("127.0.0.1", TestNet.port(l))) {
            byte[] req = connectRequest(1, new byte[] {127, 0, 0, 1}, echo.getPort());
            byte[] payload = "hello, pipelined".getBytes(StandardCharsets.US_ASCII);
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            all.write(new byte[] {5, 1, 0});
            all.write(req);
            all.write(payload);
            s.getOutputStream().write(all.toByteArray()); // one segment: greeting + request + data
            s.shutdownOutput();
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertArrayEquals(new byte[] {5, 0}, TestNet.readN(in, 2));
            assertEquals(0, readReply(in));
            assertArrayEquals(payload, TestNet.readAll(in));
        }
    }

    @Test void dialErrorsMapToReplyCodesAndServerKeepsServing() throws Exception {
        int[][] cases = {
                {DialError.REFUSED.ordinal(), 5}, {DialError.UNREACHABLE.ordinal(), 4}, {DialError.UNKNOWN_HOST.ordinal(), 4},
                {DialError.DENIED.ordinal(), 2}, {DialError.TIMEOUT.ordinal(), 6}, {DialError.GENERAL.ordinal(), 1},
                {DialError.TUNNEL_DOWN.ordinal(), 1}};
        for (int[] c : cases) {
            DialError e = DialError.values()[c[0]];
            Channel l = bind(TestNet.failing(e), null, null);
            try (Socket s = new Socket("127.0.0.1", TestNet.port(l))) {
                assertEquals(c[1], handshake(s, null, null, connectRequest(1, new byte[] {10, 0, 0, 1}, 80)), e.name());
                assertEquals(-1, s.getInputStream().read());
            }
        }
    }

    @Test void garbageTruncatedAndSocks4AreClosedAndNextClientIsServed() throws Exception {
        InetSocketAddress echo = net.echoServer("127.0.0.1");
        Channel l = bind(net.direct(), null, null);
        try (Socket s = new Socket("127.0.0.1", TestNet.port(l))) { // SOCKS4 CONNECT
            s.getOutputStream().write(new byte[] {4, 1, 0, 80, 127, 0, 0, 1, 0});
            assertEquals(-1, s.getInputStream().read());
        }
        try (Socket s = new Socket("127.0.0.1", TestNet.port(l))) { // HTTP to the SOCKS port
            s.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, s.getInputStream().read());
        }
        try (Socket s = new Socket("127.0.0.1", TestNet.port(l))) { // truncated greeting: handshake timeout
            s.getOutputStream().write(new byte[] {5, 2});
            InputStream in = s.getInputStream();
            assertEquals(-1, in.read());
        }
        try (Socket s = new Socket("127.0.0.1", TestNet.port(l))) {
            assertEquals(0, handshake(s, null, null, connectRequest(1, new byte[] {127, 0, 0, 1}, echo.getPort())));
            echoThrough(s, 1000);
        }
    }
}
