package dev.wanx.near.http;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.near.FrontendLimits;
import dev.wanx.near.OutboundDialer;
import dev.wanx.near.TestNet;
import dev.wanx.transport.DialError;
import dev.wanx.transport.Hint;
import io.netty.channel.Channel;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP proxy over real sockets: a raw client, the front-end with a direct dialer, and a JDK origin. */
@Timeout(60)
class HttpProxyFrontendTest {
    private final TestNet net = new TestNet();
    private TestOrigin a;
    private TestOrigin b;

    @BeforeEach void setUp() throws Exception {
        a = new TestOrigin("A");
        b = new TestOrigin("B");
    }

    private final java.util.List<ServerSocket> rawOrigins = new java.util.ArrayList<>();

    @AfterEach void tearDown() throws Exception {
        for (ServerSocket ss : rawOrigins) ss.close();
        a.close();
        b.close();
        net.close();
    }

    private int proxy(OutboundDialer d) throws Exception {
        return TestNet.port(net.track(HttpProxyFrontend.bind(net.boss, net.workers,
                new InetSocketAddress("127.0.0.1", 0), d, FrontendLimits.DEFAULTS)));
    }

    static byte[] ascii(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }

    static String get(int port, String path) {
        return "GET http://127.0.0.1:" + port + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n";
    }

    @Test void keepAliveReusesOneUpstreamForSeveralRequests() throws Exception {
        TestNet.DirectDialer d = net.direct();
        int p = proxy(d);
        try (Socket s = new Socket("127.0.0.1", p)) {
            for (int i = 0; i < 4; i++) {
                s.getOutputStream().write(ascii(get(a.port(), "/hello?i=" + i)));
                RawHttp.Response r = RawHttp.read(s.getInputStream(), false);
                assertEquals(200, r.status());
                assertEquals("hello from A /hello?i=" + i, r.text());
                assertTrue(r.header("via").contains("1.1 wanx"), r.headers().toString());
                assertNull(r.header("keep-alive"), "hop-by-hop response header leaked");
            }
        }
        assertEquals(1, d.dests.size(), "one upstream for four requests to the same origin");
        assertEquals(Hint.HTTP, d.dests.get(0).hint());
        assertEquals("http://127.0.0.1:" + a.port() + "/hello?i=0", d.urls.get(0));
    }

    @Test void twoHostsAndPipelinedRequestsAreServedInOrder() throws Exception {
        int p = proxy(net.direct());
        try (Socket s = new Socket("127.0.0.1", p)) {
            String all = get(a.port(), "/hello?1") + get(b.port(), "/hello?2") + get(b.port(), "/hello?3") + get(a.port(), "/hello?4");
            s.getOutputStream().write(ascii(all)); // one write: pipelined
            InputStream in = s.getInputStream();
            assertEquals("hello from A /hello?1", RawHttp.read(in, false).text());
            assertEquals("hello from B /hello?2", RawHttp.read(in, false).text());
            assertEquals("hello from B /hello?3", RawHttp.read(in, false).text());
            assertEquals("hello from A /hello?4", RawHttp.read(in, false).text());
        }
    }

    @Test void uploadsChunkedAndSizedBodiesAndDownloadsBigChunkedOnes() throws Exception {
        int p = proxy(net.direct());
        try (Socket s = new Socket("127.0.0.1", p)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int size : new int[] {0, 1, 70_000, 3 * 1024 * 1024 + 5}) {
                byte[] body = TestNet.random(size, size + 1);
                // chunked upload, written by another thread so a big body can't deadlock the test
                CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
                    try {
                        out.write(ascii("POST http://127.0.0.1:" + a.port() + "/echo HTTP/1.1\r\nHost: x\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n"));
                        for (int off = 0; off < size; off += 50_000) {
                            int n = Math.min(50_000, size - off);
                            out.write(ascii(Integer.toHexString(n) + "\r\n"));
                            out.write(body, off, n);
                            out.write(ascii("\r\n"));
                        }
                        out.write(ascii("0\r\n\r\n"));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                assertEquals(TestNet.sha256(body) + " " + size, RawHttp.read(in, false).text(), "chunked " + size);
                w.get();
                out.write(ascii("POST http://127.0.0.1:" + a.port() + "/echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + size + "\r\n\r\n"));
                CompletableFuture<Void> w2 = CompletableFuture.runAsync(() -> {
                    try { out.write(body); } catch (java.io.IOException e) { throw new java.io.UncheckedIOException(e); }
                });
                assertEquals(TestNet.sha256(body) + " " + size, RawHttp.read(in, false).text(), "sized " + size);
                w2.get();
                out.write(ascii(get(a.port(), "/big?n=" + size)));
                RawHttp.Response r = RawHttp.read(in, false);
                assertEquals(TestNet.sha256(TestNet.random(size, size)), TestNet.sha256(r.body()), "download " + size);
            }
        }
    }

    @Test void headResponseHasNoBodyAndConnectionStaysUsable() throws Exception {
        int p = proxy(net.direct());
        try (Socket s = new Socket("127.0.0.1", p)) {
            s.getOutputStream().write(ascii("HEAD http://127.0.0.1:" + a.port() + "/hello HTTP/1.1\r\nHost: x\r\n\r\n"
                    + get(a.port(), "/hello?after")));
            RawHttp.Response h = RawHttp.read(s.getInputStream(), true);
            assertEquals(200, h.status());
            assertEquals(String.valueOf("hello from A /hello".length()), h.header("content-length"));
            assertEquals("hello from A /hello?after", RawHttp.read(s.getInputStream(), false).text());
        }
    }

    @Test void requestIsRewrittenAndHopByHopHeadersStripped() throws Exception {
        int p = proxy(net.direct());
        try (Socket s = new Socket("127.0.0.1", p)) {
            s.getOutputStream().write(ascii("GET http://user:pw@127.0.0.1:" + a.port() + "/headers?q=1#frag HTTP/1.1\r\n"
                    + "Host: wrong.example\r\nProxy-Connection: keep-alive\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\n"
                    + "Connection: X-Secret, keep-alive\r\nX-Secret: 1\r\nKeep-Alive: 300\r\nTE: trailers\r\n"
                    + "Upgrade: websocket\r\nX-Kept: yes\r\n\r\n"));
            String body = RawHttp.read(s.getInputStream(), false).text();
            assertTrue(body.startsWith("GET /headers?q=1\n"), body);
            assertTrue(body.contains("host: 127.0.0.1:" + a.port() + "\n"), body);
            assertTrue(body.contains("via: 1.1 wanx\n"), body);
            assertTrue(body.contains("x-kept: yes\n"), body);
            for (String gone : new String[] {"proxy-connection", "proxy-authorization", "x-secret", "keep-alive", "te:", "upgrade"}) {
                assertFalse(body.contains(gone), gone + " leaked: " + body);
            }
        }
    }

    @Test void dialErrorsMapToStatusesForGetAndConnect() throws Exception {
        Object[][] cases = {
                {DialError.REFUSED, 502}, {DialError.UNREACHABLE, 502}, {DialError.UNKNOWN_HOST, 502}, {DialError.GENERAL, 502},
                {DialError.TUNNEL_DOWN, 502}, {DialError.TIMEOUT, 504}, {DialError.DENIED, 403}};
        for (Object[] c : cases) {
            int p = proxy(TestNet.failing((DialError) c[0]));
            try (Socket s = new Socket("127.0.0.1", p)) {
                s.getOutputStream().write(ascii("GET http://nowhere.test:81/ HTTP/1.1\r\nHost: nowhere.test:81\r\n\r\n"));
                RawHttp.Response r = RawHttp.read(s.getInputStream(), false);
                assertEquals(c[1], r.status(), c[0].toString());
                assertTrue(r.text().contains("nowhere.test:81"), r.text());
                assertEquals(-1, s.getInputStream().read());
            }
            try (Socket s = new Socket("127.0.0.1", p)) {
                s.getOutputStream().write(ascii("CONNECT nowhere.test:443 HTTP/1.1\r\nHost: nowhere.test:443\r\n\r\n"));
                RawHttp.Response r = RawHttp.read(s.getInputStream(), false);
                assertEquals(c[1], r.status(), "CONNECT " + c[0]);
                assertTrue(r.text().contains("nowhere.test:443"), r.text());
                assertEquals(-1, s.getInputStream().read());
            }
        }
    }

    @Test void connectTunnelKeepsPipelinedBytesAndHalfCloses() throws Exception {
        InetSocketAddress echo = net.echoServer("127.0.0.1");
        TestNet.DirectDialer d = net.direct();
        int p = proxy(d);
        for (int size : new int[] {0, 1, 200_000, 3 * 1024 * 1024 + 1}) {
            byte[] data = TestNet.random(size, size + 7);
            try (Socket s = new Socket("127.0.0.1", p)) {
                ByteArrayOutputStream first = new ByteArrayOutputStream();
                first.write(ascii("CONNECT 127.0.0.1:" + echo.getPort() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
                first.write(data, 0, Math.min(size, 1000)); // pipelined behind the head, like a TLS ClientHello
                byte[] rest = java.util.Arrays.copyOfRange(data, Math.min(size, 1000), size);
                s.getOutputStream().write(first.toByteArray());
                byte[] got = TestNet.echoRoundTrip(s, rest);
                byte[] expectHead = ascii(ConnectTunnel.ESTABLISHED);
                assertArrayEquals(expectHead, java.util.Arrays.copyOf(got, expectHead.length));
                byte[] payload = java.util.Arrays.copyOfRange(got, expectHead.length, got.length);
                assertEquals(TestNet.sha256(data), TestNet.sha256(payload), "size " + size);
            }
        }
        assertNull(d.urls.isEmpty() ? null : d.urls.get(0), "CONNECT passes no URL");
        assertEquals(Hint.RAW, d.dests.get(0).hint());
    }

    @Test void badInputGetsItsErrorAndServerKeepsServing() throws Exception {
        int p = proxy(net.direct());
        try (Socket s = new Socket("127.0.0.1", p)) {
            s.getOutputStream().write(ascii("\u0001\u0002garbage garbage\r\n\r\n"));
            assertEquals(400, RawHttp.read(s.getInputStream(), false).status());
            assertEquals(-1, s.getInputStream().read());
        }
        try (Socket s = new Socket("127.0.0.1", p)) {
            s.getOutputStream().write(ascii("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"));
            RawHttp.Response r = RawHttp.read(s.getInputStream(), false);
            assertEquals(400, r.status());
            assertTrue(r.text().contains("proxy"), r.text());
        }
        try (Socket s = new Socket("127.0.0.1", p)) {
            s.getOutputStream().write(ascii("GET http://127.0.0.1:" + a.port() + "/ HTTP/1.1\r\nX-Big: " + "x".repeat(40_000) + "\r\n\r\n"));
            assertEquals(431, RawHttp.read(s.getInputStream(), false).status());
        }
        try (Socket s = new Socket("127.0.0.1", p)) {
            s.getOutputStream().write(ascii(get(a.port(), "/hello")));
            assertEquals("hello from A /hello", RawHttp.read(s.getInputStream(), false).text());
        }
    }

    /** An origin that answers each connection once with {@code response} and closes. */
    private int rawOrigin(String response) throws Exception {
        ServerSocket ss = new ServerSocket(0, 10, java.net.InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(() -> {
            try (ss) {
                while (true) {
                    try (Socket c = ss.accept()) {
                        InputStream in = c.getInputStream();
                        while (!RawHttp.line(in).isEmpty()) { }
                        c.getOutputStream().write(ascii(response));
                    }
                }
            } catch (java.io.IOException closed) {
                // test over
            }
        }, "raw-origin");
        t.setDaemon(true);
        t.start();
        rawOrigins.add(ss);
        return ss.getLocalPort();
    }

    @Test void readUntilCloseResponseIsRechunkedAndClientKeptAlive() throws Exception {
        int o = rawOrigin("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nuntil the end");
        int p = proxy(net.direct());
        try (Socket s = new Socket("127.0.0.1", p)) {
            for (int i = 0; i < 2; i++) {
                s.getOutputStream().write(ascii(get(o, "/")));
                RawHttp.Response r = RawHttp.read(s.getInputStream(), false);
                assertEquals("chunked", r.header("transfer-encoding"));
                assertEquals("until the end", r.text());
            }
        }
    }

    @Test void upstreamDyingMidResponseClosesClient() throws Exception {
        int o = rawOrigin("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
        int p = proxy(net.direct());
        try (Socket s = new Socket("127.0.0.1", p)) {
            s.getOutputStream().write(ascii(get(o, "/")));
            InputStream in = s.getInputStream();
            assertThrows(java.io.IOException.class, () -> RawHttp.read(in, false)); // short body, then EOF/reset
        }
    }

    @Test void upstreamClosingWithoutResponseGives502() throws Exception {
        int o = rawOrigin("");
        int p = proxy(net.direct());
        try (Socket s = new Socket("127.0.0.1", p)) {
            s.getOutputStream().write(ascii(get(o, "/")));
            assertEquals(502, RawHttp.read(s.getInputStream(), false).status());
        }
    }
}
