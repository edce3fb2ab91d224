package dev.wanx.near.http;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.near.FrontendLimits;
import dev.wanx.near.TestNet;
import dev.wanx.near.socks.Socks5Frontend;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real curl binary through the HTTP proxy (plain and CONNECT) and SOCKS5 (with and without auth). */
@Timeout(120)
class CurlInteropTest {
    private final TestNet net = new TestNet();
    private TestOrigin origin;
    private int http;
    private int socks;
    private int socksAuth;

    @BeforeEach void setUp() throws Exception {
        Assumptions.assumeTrue(curlPath() != null, "curl not found on PATH: skipping curl interop test");
        origin = new TestOrigin("C");
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        http = TestNet.port(net.track(HttpProxyFrontend.bind(net.boss, net.workers, any, net.direct())));
        socks = TestNet.port(net.track(Socks5Frontend.bind(net.boss, net.workers, any, net.direct())));
        socksAuth = TestNet.port(net.track(Socks5Frontend.bind(net.boss, net.workers, any, net.direct(), "bob", "pw",
                FrontendLimits.DEFAULTS)));
    }

    @AfterEach void tearDown() {
        if (origin != null) origin.close();
        net.close();
    }

    static String curlPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "curl");
            if (f.canExecute()) return f.getPath();
        }
        return null;
    }

    private static String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(curlPath(), "-sS", "--fail", "--max-time", "30"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.toLowerCase().endsWith("_proxy")); // only our -x counts
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "curl " + String.join(" ", args) + " -> " + text);
        return text;
    }

    @Test void plainHttpThroughProxy() throws Exception {
        String url = "http://127.0.0.1:" + origin.port() + "/hello";
        assertEquals("hello from C /hello", curl("-x", "http://127.0.0.1:" + http, url));
        // two URLs on one curl run: the second reuses the proxy connection
        assertEquals("hello from C /hello?1hello from C /hello?2", curl("-x", "http://127.0.0.1:" + http, url + "?1", url + "?2"));
    }

    @Test void connectTunnelThroughProxy() throws Exception {
        assertEquals("hello from C /hello", curl("-p", "-x", "http://127.0.0.1:" + http, "http://127.0.0.1:" + origin.port() + "/hello"));
    }

    @Test void chunkedUploadThroughProxy(@TempDir Path dir) throws Exception {
        byte[] body = TestNet.random(1_500_000, 42);
        Path f = dir.resolve("body");
        Files.write(f, body);
        String got = curl("-x", "http://127.0.0.1:" + http, "-H", "Transfer-Encoding: chunked",
                "--data-binary", "@" + f, "http://127.0.0.1:" + origin.port() + "/echo");
        assertEquals(TestNet.sha256(body) + " " + body.length, got);
    }

    @Test void socks5HostnameWithAndWithoutAuth() throws Exception {
        String url = "http://localhost:" + origin.port() + "/hello";
        assertEquals("hello from C /hello", curl("--socks5-hostname", "127.0.0.1:" + socks, url));
        assertEquals("hello from C /hello", curl("-x", "socks5h://bob:pw@127.0.0.1:" + socksAuth, url));
        assertEquals("hello from C /hello", curl("--socks5", "127.0.0.1:" + socks, "http://127.0.0.1:" + origin.port() + "/hello"));
    }
}
