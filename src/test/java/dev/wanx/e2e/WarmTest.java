package dev.wanx.e2e;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.cli.Wanx;
import dev.wanx.near.NearConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `wanx warm` of a far-side directory makes the first real transfer of those bytes warm. */
class WarmTest {
    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = new CommandLine(new Wanx()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new String[] {String.valueOf(rc), out.toString(), err.toString()};
    }

    @Test void warmingAFarDirectoryMakesTheFirstRealFetchWarm() throws Exception {
        try (Lab lab = new Lab(NearConfig.Transport.UDP)) {
            int size = 4 << 20;
            Path root = lab.dir.resolve("share");
            Files.createDirectories(root.resolve("docs/deep"));
            Files.write(root.resolve("docs/deep/report.txt"), TestOrigins.text(size));
            Files.write(root.resolve("docs/notes one.txt"), "hello".getBytes());
            lab.warmRoot = root;
            lab.startFar(0).startNear("near");
            lab.awaitTunnel();
            String proxy = "127.0.0.1:" + lab.httpProxy().getPort();

            String[] r = run("warm", "--quiet", "--proxy", proxy, "/docs");
            assertEquals("0", r[0], r[1] + r[2]);
            assertTrue(r[1].contains("warmed 2 object(s)"), r[1]);

            // The same bytes from a real origin, never fetched before: they cross as references.
            var service = lab.far.reduction();
            long wire0 = service.totals().wireOut.get();
            long app0 = service.totals().appIn.get();
            HttpClient http = HttpClient.newBuilder().proxy(ProxySelector.of(lab.httpProxy())).build();
            HttpResponse<byte[]> got = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + lab.origins.httpPort() + "/text/" + size)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertArrayEquals(TestOrigins.text(size), got.body());
            long wire = service.totals().wireOut.get() - wire0;
            assertTrue(service.totals().appIn.get() - app0 >= size);
            assertTrue(wire < size / 100, "first fetch after warming ≤ 1 % of payload on the wire: " + wire + " of " + size);
        }
    }

    @Test void pathsOutsideTheRootAndAFarWithoutARootAreRefused() throws Exception {
        try (Lab lab = new Lab(NearConfig.Transport.TCP)) {
            Path root = lab.dir.resolve("share");
            Files.createDirectories(root);
            Files.writeString(lab.dir.resolve("secret.txt"), "not for warming");
            lab.warmRoot = root;
            lab.startFar(0).startNear("near");
            lab.awaitTunnel();
            String proxy = "127.0.0.1:" + lab.httpProxy().getPort();
            String[] r = run("warm", "--quiet", "--proxy", proxy, "/../secret.txt");
            assertEquals("1", r[0]);
            assertTrue(r[2].contains("HTTP 403") && r[2].contains("outside"), r[2]);
            r = run("warm", "--quiet", "--proxy", proxy, "/missing.iso");
            assertEquals("1", r[0]);
            assertTrue(r[2].contains("HTTP 404"), r[2]);
        }
        try (Lab lab = new Lab(NearConfig.Transport.TCP)) {
            lab.startFar(0).startNear("near");
            lab.awaitTunnel();
            String[] r = run("warm", "--quiet", "--proxy", "127.0.0.1:" + lab.httpProxy().getPort(), "/anything");
            assertEquals("1", r[0]);
            assertTrue(r[2].contains("403") && r[2].contains("--warm-root"), r[2]);
        }
    }

    @Test void badTargetsAreUsageErrors() {
        assertEquals("2", run("warm", "https://example.com/x")[0]);
        assertEquals("2", run("warm", "relative/path")[0]);
        assertEquals("2", run("warm", "--proxy", "nonsense", "/x")[0]);
    }
}
