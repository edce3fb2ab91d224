package dev.wanx.e2e;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.crypto.KeyFiles;
import dev.wanx.near.NearConfig;
import dev.wanx.transport.tcp.TcpCarrier;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Near + far + real origins on loopback, through every front-end; run once per carrier by the subclasses. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EndToEndTestBase {
    Lab lab;
    HttpClient http;

    abstract NearConfig.Transport transport();

    boolean reduce() { return true; }

    @BeforeAll void up() throws Exception {
        lab = new Lab(transport(), reduce()).startFar(0).startNear("near");
        lab.awaitTunnel();
        assertEquals(transport().name().toLowerCase(), lab.near.sessions().current().carrier());
        http = HttpClient.newBuilder().proxy(ProxySelector.of(lab.httpProxy())).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll void down() throws Exception {
        if (lab != null) lab.close();
    }

    private String origin(String path) { return "http://127.0.0.1:" + lab.origins.httpPort() + path; }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 1000, 1 << 20, 64L << 20})
    void httpProxyGetThroughTunnel(long size) throws Exception {
        long before = lab.tunnelStreams();
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(origin("/bytes/" + size))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        MessageDigest d = TestOrigins.sha();
        try (InputStream in = r.body()) {
            byte[] buf = new byte[64 << 10];
            int n;
            while ((n = in.read(buf)) > 0) d.update(buf, 0, n);
        }
        assertArrayEquals(TestOrigins.seededSha(size), d.digest(), "body of " + size + " bytes");
        assertTrue(lab.tunnelStreams() > before || before > 0, "request went through the tunnel");
    }

    @Test void httpProxyChunkedUploadAndKeepAlive() throws Exception {
        byte[] body = new byte[5 << 20];
        new java.util.Random(5).nextBytes(body);
        for (int i = 0; i < 3; i++) { // several requests reuse the client's keep-alive connection
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(origin("/sha256")))
                            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals(HexFormat.of().formatHex(TestOrigins.sha().digest(body)), r.body());
        }
    }

    @Test void connectTunnelsRawBytesWithHalfClose() throws Exception {
        try (Socket s = Clients.connect(lab.httpProxy())) {
            String target = "127.0.0.1:" + lab.origins.echoPort();
            s.getOutputStream().write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String head = Clients.readHead(s.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            byte[][] sums = Clients.echo(s, 3 << 20, 11);
            assertArrayEquals(sums[0], sums[1]);
        }
    }

    @Test void socks5ConnectByAddressAndByName() throws Exception {
        for (String host : new String[] {"127.0.0.1", "localhost"}) {
            try (Socket s = Clients.connect(lab.socks())) {
                assertEquals(0, Clients.socksConnect(s, host, lab.origins.echoPort()), "SOCKS reply for " + host);
                byte[][] sums = Clients.echo(s, 1 << 20, 12);
                assertArrayEquals(sums[0], sums[1]);
            }
        }
    }

    @Test void forwardCarriesBothDirectionsWithHalfClose() throws Exception {
        try (Socket s = Clients.connect(lab.forward())) {
            byte[][] sums = Clients.echo(s, 16 << 20, 13);
            assertArrayEquals(sums[0], sums[1]);
        }
        try (Socket s = Clients.connect(lab.forward())) { // zero bytes, then half-close: a clean empty answer
            byte[][] sums = Clients.echo(s, 0, 14);
            assertArrayEquals(sums[0], sums[1]);
        }
    }

    @Test void manyConcurrentStreams() throws Exception {
        List<CompletableFuture<byte[][]>> all = new ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(64);
        for (int i = 0; i < 64; i++) {
            int seed = 100 + i;
            all.add(CompletableFuture.supplyAsync(() -> {
                try (Socket s = Clients.connect(lab.forward())) {
                    return Clients.echo(s, 256 << 10, seed);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, pool));
        }
        pool.shutdown();
        for (CompletableFuture<byte[][]> f : all) {
            byte[][] sums = f.get();
            assertArrayEquals(sums[0], sums[1]);
        }
    }

    @Test void deniedEgressIsRefusedWithTheRightCode() throws Exception {
        // The far allows 127.0.0.1/32 only; 127.0.0.2 is loopback too and denied by default.
        try (Socket s = Clients.connect(lab.socks())) {
            assertEquals(2, Clients.socksConnect(s, "127.0.0.2", lab.origins.echoPort()), "SOCKS 'not allowed by ruleset'");
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.2:" + lab.origins.httpPort() + "/bytes/1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, r.statusCode());
    }

    @Test void refusedOriginGives502() throws Exception {
        int closedPort;
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0)) {
            closedPort = ss.getLocalPort();
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + closedPort + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(502, r.statusCode());
        try (Socket s = Clients.connect(lab.socks())) {
            assertEquals(5, Clients.socksConnect(s, "127.0.0.1", closedPort), "SOCKS 'connection refused'");
        }
    }

    @Test void unauthorizedNearGetsNoAnswer() throws Exception {
        // Through the real carrier: the handshake fails...
        var stranger = KeyFiles.readPrivate(lab.dir.resolve("stranger.key"));
        var farKey = KeyFiles.readPublic(lab.dir.resolve("far.pub"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> TcpCarrier.connect(lab.near.eventLoops(),
                lab.far.localAddress(), stranger, farKey, Duration.ofSeconds(3), new SecureRandom(), System::nanoTime).get());
        assertTrue(e.getCause().getMessage().contains("closed the connection"), e.getCause().getMessage());
        // ...and on the wire not one byte comes back, to garbage or to a stranger.
        try (Socket s = Clients.connect(lab.far.localAddress())) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, s.getInputStream().read(), "far answered garbage");
        }
    }

    @Test void badInputGetsAClearErrorAndServiceContinues() throws Exception {
        try (Socket s = Clients.connect(lab.httpProxy())) {
            s.getOutputStream().write("\u0001\u0002garbage garbage\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertTrue(Clients.readHead(s.getInputStream()).startsWith("HTTP/1.1 400"));
        }
        try (Socket s = Clients.connect(lab.httpProxy())) {
            OutputStream out = s.getOutputStream();
            out.write(("GET " + origin("/bytes/1") + " HTTP/1.1\r\nHost: x\r\nX-Big: ").getBytes(StandardCharsets.US_ASCII));
            out.write("a".repeat(100_000).getBytes(StandardCharsets.US_ASCII));
            out.write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(Clients.readHead(s.getInputStream()).startsWith("HTTP/1.1 431"));
        } catch (java.net.SocketException reset) {
            // the proxy may reset while we are still writing the oversized header; the next check still holds
        }
        try (Socket s = Clients.connect(lab.socks())) { // truncated SOCKS greeting, then gone
            s.getOutputStream().write(new byte[] {5, 2});
        }
        try (Socket s = Clients.connect(lab.socks())) { // SOCKS4 is refused
            s.getOutputStream().write(new byte[] {4, 1, 0, 80, 127, 0, 0, 1, 0});
            assertEquals(-1, s.getInputStream().read());
        } catch (java.net.SocketException reset) {
            // a reset is also a refusal
        }
        // Still serving:
        httpProxyGetThroughTunnel(1000);
        socks5ConnectByAddressAndByName();
    }

    @Test void secondTransferOfAnObjectIsReducedToReferences() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(reduce(), "reduction is off in this run");
        int size = 4 << 20;
        byte[] expected = TestOrigins.text(size);
        var service = lab.far.reduction();
        long[] wire = new long[2];
        for (int i = 0; i < 2; i++) {
            var before = service.totals(); // a snapshot over finished and live streams
            long app0 = before.appIn.get();
            long wire0 = before.wireOut.get();
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(origin("/text/" + size))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertArrayEquals(expected, r.body());
            var after = service.totals();
            long app = after.appIn.get() - app0;
            wire[i] = after.wireOut.get() - wire0;
            assertTrue(app >= size, "far encoded the response: " + app);
        }
        assertTrue(wire[0] < size, "cold transfer compressed: " + wire[0] + " of " + size);
        assertTrue(wire[1] < size / 100, "warm transfer ≤ 1 % of payload: " + wire[1] + " of " + size);
    }

    @Test void streamsAreCountedOnTheSession() {
        InetSocketAddress far = lab.far.localAddress();
        assertNotNull(far);
        assertTrue(lab.far.sessionCount() >= 1);
    }
}
