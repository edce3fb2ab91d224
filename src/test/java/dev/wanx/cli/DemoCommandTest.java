package dev.wanx.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wanx.far.FarConfig;
import dev.wanx.near.NearConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
    @TempDir Path dir;

    @Test void defaultsMatchTheReadme() {
        DemoCommand demo = Cli.parse("demo");
        FarConfig far = demo.buildFarConfig();
        NearConfig near = demo.buildNearConfig();
        assertEquals(Path.of(".wanx/demo"), demo.state);
        assertEquals(new InetSocketAddress("127.0.0.1", 7443), far.listen());
        assertEquals(List.of("127.0.0.1/32:8080"), far.allow()); // exactly the origin, nothing else on loopback
        assertEquals(new InetSocketAddress("127.0.0.1", 3128), near.httpProxy());
        assertEquals(new InetSocketAddress("127.0.0.1", 1080), near.socks());
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 7443)), near.peers());
        assertEquals(far.key().getParent(), near.peerKey().getParent());
        assertNull(near.accelerate());
    }

    @Test void portsAndStateAreOptions() throws Exception {
        DemoCommand demo = Cli.parse("demo", "--state", dir.toString(), "--far-port", "17443", "--http-port", "13128",
                "--socks-port", "11080", "--origin-port", "18080", "--transport", "tcp");
        FarConfig far = demo.buildFarConfig();
        NearConfig near = demo.buildNearConfig();
        assertEquals(17443, far.listen().getPort());
        assertEquals(List.of("127.0.0.1/32:18080"), far.allow());
        assertEquals(13128, near.httpProxy().getPort());
        assertEquals(11080, near.socks().getPort());
        assertEquals(NearConfig.Transport.TCP, near.transport());
        assertEquals(dir.resolve("near.pub"), far.authorized());
        assertEquals(dir.resolve("far.pub"), near.peerKey());
        assertEquals(dir.resolve("near.key"), near.key());
    }

    @Test void samePortTwiceIsUsageError() {
        Cli.Result r = Cli.run("demo", "--state", dir.toString(), "--http-port", "1080");
        assertEquals(ExitCodes.USAGE, r.code());
        assertEquals("wanx demo: --socks-port and --http-port are both 1080", r.errFirstLine());
    }

    @Test void keysAreMadeOnFirstUseAndKept() throws Exception {
        DemoCommand demo = Cli.parse("demo", "--state", dir.resolve("st").toString());
        demo.ensureKeys();
        String farPub = Files.readString(demo.farPub());
        for (Path p : new Path[] {demo.farKey(), demo.farPub(), demo.nearKey(), demo.nearPub()}) assertTrue(Files.exists(p), p.toString());
        demo.ensureKeys();
        assertEquals(farPub, Files.readString(demo.farPub()));
    }

    @Test void originPortInUseIsExit4() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Cli.Result r = Cli.run("demo", "--state", dir.toString(), "--origin-port", String.valueOf(taken.getLocalPort()));
            assertEquals(ExitCodes.CANNOT_BIND, r.code(), r.err());
            assertTrue(r.errFirstLine().startsWith("wanx demo: cannot listen on 127.0.0.1:" + taken.getLocalPort()), r.err());
        }
    }

    @Test void originServesPageAndCheckableBytes() throws Exception {
        try (DemoOrigin origin = DemoOrigin.start(new InetSocketAddress("127.0.0.1", 0))) {
            String base = "http://127.0.0.1:" + origin.address().getPort();
            StringWriter sw = new StringWriter();
            PrintWriter out = new PrintWriter(sw);
            String sha = HexFormat.of().formatHex(DemoOrigin.sha256(100_000));
            assertTrue(DemoCommand.check(out, "page", Proxy.NO_PROXY, base + "/", null), sw.toString());
            assertTrue(DemoCommand.check(out, "bytes", Proxy.NO_PROXY, base + "/bytes/100000", sha), sw.toString());
            assertTrue(!DemoCommand.check(out, "wrong", Proxy.NO_PROXY, base + "/bytes/99999", sha), sw.toString());
            assertTrue(sw.toString().contains("sha256 MISMATCH"), sw.toString());
        }
        assertArrayEquals(DemoOrigin.sha256(0), java.security.MessageDigest.getInstance("SHA-256").digest());
    }

    /** The self-test must really use the proxies: Java skips proxies for loopback only via ProxySelector, not Proxy. */
    @Test void selfTestRequestsGoThroughTheProxies() throws Exception {
        try (ServerSocket proxy = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            java.util.concurrent.CompletableFuture<String> seen = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (java.net.Socket s = proxy.accept()) {
                    String line = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream())).readLine();
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    return line;
                } catch (java.io.IOException e) {
                    return e.toString();
                }
            });
            StringWriter sw = new StringWriter();
            Proxy http = new Proxy(Proxy.Type.HTTP, proxy.getLocalSocketAddress());
            assertTrue(DemoCommand.check(new PrintWriter(sw), "via proxy", http, "http://127.0.0.1:9/", null), sw.toString());
            assertEquals("GET http://127.0.0.1:9/ HTTP/1.1", seen.get(10, java.util.concurrent.TimeUnit.SECONDS));
        }
        try (ServerSocket socks = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            java.util.concurrent.CompletableFuture<Integer> version = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (java.net.Socket s = socks.accept()) {
                    return s.getInputStream().read();
                } catch (java.io.IOException e) {
                    return -2;
                }
            });
            StringWriter sw = new StringWriter();
            Proxy p = new Proxy(Proxy.Type.SOCKS, socks.getLocalSocketAddress());
            DemoCommand.check(new PrintWriter(sw), "via socks", p, "http://127.0.0.1:9/", null);
            assertEquals(5, version.get(10, java.util.concurrent.TimeUnit.SECONDS)); // a SOCKS5 greeting
        }
    }
}
