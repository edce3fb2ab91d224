package dev.wanx.cli;

import dev.wanx.crypto.KeyFiles;
import dev.wanx.crypto.X25519KeyPair;
import dev.wanx.far.FarConfig;
import dev.wanx.far.FarServer;
import dev.wanx.near.NearConfig;
import dev.wanx.near.NearServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wanx demo}: the README's first command. A far, a near and a small origin server in one JVM on loopback,
 * with keys made on first use, so a new user sees traffic go through the tunnel before reading any further.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Try wanx: a near, a far and a demo web server on this machine.",
            "Starts all three on loopback in one process and prints how to send traffic through them. Keys are "
                + "generated on first use under --state. Runs until Ctrl-C. With --self-test it sends requests "
                + "through each proxy, prints the result and exits 0 (passed) or 1 (failed).",
            "Example:",
            "  wanx demo",
            "  curl -x http://127.0.0.1:3128 http://127.0.0.1:8080/      (in another terminal)", ""},
        footer = ExitCodes.FOOTER)
final class DemoCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger("wanx.cli");
    static final long SELF_TEST_BYTES = 1 << 20;

    @Spec CommandSpec spec;

    @Option(names = "--state", paramLabel = "DIR", defaultValue = ".wanx/demo",
            description = "Where the demo keeps its keys and state (made on first use). Default: ${DEFAULT-VALUE}. Example: --state /tmp/wanx-demo")
    Path state;

    @Option(names = "--far-port", paramLabel = "PORT", defaultValue = "7443",
            description = "The far's tunnel port on 127.0.0.1. Default: ${DEFAULT-VALUE}. Example: --far-port 17443")
    int farPort;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "3128",
            description = "The near's HTTP proxy port on 127.0.0.1. Default: ${DEFAULT-VALUE}. Example: --http-port 13128")
    int httpPort;

    @Option(names = "--socks-port", paramLabel = "PORT", defaultValue = "1080",
            description = "The near's SOCKS5 port on 127.0.0.1. Default: ${DEFAULT-VALUE}. Example: --socks-port 11080")
    int socksPort;

    @Option(names = "--origin-port", paramLabel = "PORT", defaultValue = "8080",
            description = "The demo web server's port on 127.0.0.1; the far may dial only this. Default: ${DEFAULT-VALUE}. Example: --origin-port 18080")
    int originPort;

    @Option(names = "--transport", paramLabel = "auto|udp|tcp", defaultValue = "auto",
            description = "Carrier between the demo near and far. Default: ${DEFAULT-VALUE}. Example: --transport tcp")
    NearConfig.Transport transport;

    @Option(names = "--self-test",
            description = "Send one request through the HTTP proxy and one through SOCKS5, print the result, exit 0/1. Default: off.")
    boolean selfTest;

    private static final String HOST = "127.0.0.1";

    Path farKey() { return KeyFiles.privatePath(state, "far"); }
    Path farPub() { return KeyFiles.publicPath(state, "far"); }
    Path nearKey() { return KeyFiles.privatePath(state, "near"); }
    Path nearPub() { return KeyFiles.publicPath(state, "near"); }

    FarConfig buildFarConfig() {
        checkPorts();
        return new FarConfig(new InetSocketAddress(HOST, farPort), farKey(), nearPub(),
                List.of(HOST + "/32:" + originPort), state.resolve("far"), Duration.ofSeconds(5),
                dev.wanx.reduce.ReduceSettings.under(state.resolve("far")));
    }

    NearConfig buildNearConfig() {
        checkPorts();
        return new NearConfig(List.of(new InetSocketAddress(HOST, farPort)), farPub(), nearKey(),
                new InetSocketAddress(HOST, httpPort), new InetSocketAddress(HOST, socksPort), null, null,
                List.of(), null, transport, state.resolve("near"), Duration.ofSeconds(1),
                dev.wanx.reduce.ReduceSettings.under(state.resolve("near")));
    }

    private void checkPorts() {
        int[] ports = {farPort, httpPort, socksPort, originPort};
        String[] names = {"--far-port", "--http-port", "--socks-port", "--origin-port"};
        for (int i = 0; i < ports.length; i++) {
            if (ports[i] < 1 || ports[i] > 65535) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "Invalid value for option '" + names[i] + "': " + ports[i] + " (expected 1-65535)");
            }
            for (int j = 0; j < i; j++) {
                if (ports[i] == ports[j]) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                            names[i] + " and " + names[j] + " are both " + ports[i]);
                }
            }
        }
    }

    /** First use: a far and a near key pair, the near's public key being the far's whole authorized list. */
    void ensureKeys() throws IOException {
        boolean farThere = Files.exists(farKey()) && Files.exists(farPub());
        boolean nearThere = Files.exists(nearKey()) && Files.exists(nearPub());
        SecureRandom rnd = new SecureRandom();
        if (!farThere) KeyFiles.write(state, "far", X25519KeyPair.generate(rnd), true);
        if (!nearThere) KeyFiles.write(state, "near", X25519KeyPair.generate(rnd), true);
        if (!farThere || !nearThere) LOG.info("demo keys generated in " + state.toAbsolutePath());
    }

    @Override public Integer call() throws Exception {
        FarConfig farConfig = buildFarConfig();
        NearConfig nearConfig = buildNearConfig();
        ensureKeys();
        PrintWriter out = spec.commandLine().getOut();
        InetSocketAddress originAddr = new InetSocketAddress(HOST, originPort);
        DemoOrigin origin;
        try {
            origin = DemoOrigin.start(originAddr);
        } catch (IOException e) {
            throw Failures.startFailure("demo origin", e, originAddr);
        }
        FarServer far = null;
        NearServer near = null;
        try {
            try {
                far = FarServer.start(farConfig);
            } catch (IOException | RuntimeException e) {
                throw Failures.startFailure("far", e, farConfig.listen());
            }
            try {
                near = NearServer.start(nearConfig);
            } catch (IOException | RuntimeException e) {
                throw Failures.startFailure("near", e, nearConfig.httpProxy(), nearConfig.socks());
            }
            if (selfTest) return selfTest(out, near);
            printInstructions(out);
            final FarServer f = far;
            final NearServer n = near;
            Servers.closeOnSignal(() -> {
                n.close();
                f.close();
                origin.close();
            }, "demo");
            near.awaitClose();
            return ExitCodes.OK;
        } finally {
            if (selfTest || near == null) { // when serving, the shutdown hook closes everything
                if (near != null) near.close();
                if (far != null) far.close();
                origin.close();
            }
        }
    }

    private void printInstructions(PrintWriter out) {
        String origin = "http://" + HOST + ":" + originPort;
        out.println("wanx demo is running (near and far in this process, keys in " + state.toAbsolutePath() + ")");
        out.println("  origin web server   " + origin + "/   (and " + origin + "/bytes/N)");
        out.println("  near HTTP proxy     http://" + HOST + ":" + httpPort);
        out.println("  near SOCKS5 proxy   " + HOST + ":" + socksPort);
        out.println("  far tunnel          " + HOST + ":" + farPort + " (" + transport.name().toLowerCase(java.util.Locale.ROOT)
                + "; egress allowed to " + HOST + "/32:" + originPort + " only)");
        out.println();
        out.println("Send traffic through it from another terminal:");
        out.println("  curl -x http://" + HOST + ":" + httpPort + " " + origin + "/");
        out.println("  curl --socks5-hostname " + HOST + ":" + socksPort + " " + origin + "/bytes/1048576 | sha256sum");
        out.println("Press Ctrl-C to stop.");
        out.flush();
    }

    private int selfTest(PrintWriter out, NearServer near) throws InterruptedException {
        // Wait for the tunnel first: requests sent before it is up would pass by going direct (fail-forward).
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (near.sessions().current() == null && System.nanoTime() < deadline) Thread.sleep(20);
        var session = near.sessions().current();
        if (session == null) {
            out.println("FAIL tunnel did not come up in 10 s");
            out.println("self-test: FAILED");
            out.flush();
            return ExitCodes.RUNTIME;
        }
        long streamsBefore = session.stats().streamsTotal();
        String base = "http://" + HOST + ":" + originPort;
        String expected = HexFormat.of().formatHex(DemoOrigin.sha256(SELF_TEST_BYTES));
        boolean ok = true;
        Proxy http = new Proxy(Proxy.Type.HTTP, new InetSocketAddress(HOST, httpPort));
        Proxy socks = new Proxy(Proxy.Type.SOCKS, new InetSocketAddress(HOST, socksPort));
        ok &= check(out, "http-proxy GET /", http, base + "/", null);
        ok &= check(out, "http-proxy GET /bytes/" + SELF_TEST_BYTES, http, base + "/bytes/" + SELF_TEST_BYTES, expected);
        ok &= check(out, "socks5 GET /bytes/" + SELF_TEST_BYTES, socks, base + "/bytes/" + SELF_TEST_BYTES, expected);
        long viaTunnel = session.stats().streamsTotal() - streamsBefore;
        boolean tunnelled = session.isActive() && viaTunnel >= 2;
        out.println((tunnelled ? "ok   " : "FAIL ") + "requests carried by the " + session.carrier() + " tunnel: " + viaTunnel
                + " stream(s)");
        ok &= tunnelled;
        out.println("self-test: " + (ok ? "PASSED" : "FAILED"));
        out.flush();
        return ok ? ExitCodes.OK : ExitCodes.RUNTIME;
    }

    /** One request; prints one line. {@code sha256} null: any 200 with a body passes. */
    static boolean check(PrintWriter out, String what, Proxy proxy, String url, String sha256) {
        long t0 = System.nanoTime();
        try {
            HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection(proxy);
            c.setConnectTimeout(5000);
            c.setReadTimeout(10000);
            int code = c.getResponseCode();
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            long n = 0;
            try (InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream()) {
                byte[] buf = new byte[64 * 1024];
                for (int k; in != null && (k = in.read(buf)) > 0; ) {
                    md.update(buf, 0, k);
                    n += k;
                }
            }
            String got = HexFormat.of().formatHex(md.digest());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            boolean pass = code == 200 && n > 0 && (sha256 == null || sha256.equals(got));
            out.println((pass ? "ok   " : "FAIL ") + what + ": HTTP " + code + ", " + n + " bytes"
                    + (sha256 == null ? "" : ", sha256 " + (sha256.equals(got) ? "matches" : "MISMATCH")) + ", " + ms + " ms");
            return pass;
        } catch (Exception e) {
            out.println("FAIL " + what + ": " + Failures.describe(e));
            return false;
        } finally {
            out.flush();
        }
    }

}
