package dev.wanx.e2e;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Real origin servers on loopback: an HTTP server (/bytes/N returns N seeded bytes, /sha256 returns the
 * SHA-256 of the request body) and a TCP echo server that keeps echoing after the client half-closes and
 * then half-closes itself.
 */
final class TestOrigins implements AutoCloseable {
    final HttpServer http;
    final ServerSocket echo;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-origin");
        t.setDaemon(true);
        return t;
    });

    TestOrigins() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        http.createContext("/bytes/", ex -> {
            long n = Long.parseLong(ex.getRequestURI().getPath().substring("/bytes/".length()));
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, n == 0 ? -1 : n);
            try (OutputStream out = ex.getResponseBody()) {
                writeSeeded(out, n, n);
            }
        });
        http.createContext("/text/", ex -> { // N bytes of seeded words: compressible, and the same on every request
            int n = Integer.parseInt(ex.getRequestURI().getPath().substring("/text/".length()));
            ex.getRequestBody().readAllBytes();
            byte[] body = text(n);
            ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        http.createContext("/sha256", ex -> {
            MessageDigest d = sha();
            try (InputStream in = ex.getRequestBody()) {
                byte[] buf = new byte[64 << 10];
                int r;
                while ((r = in.read(buf)) > 0) d.update(buf, 0, r);
            }
            byte[] body = HexFormat.of().formatHex(d.digest()).getBytes();
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        http.setExecutor(pool);
        http.start();
        echo = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        pool.execute(this::acceptEcho);
    }

    int httpPort() { return http.getAddress().getPort(); }

    int echoPort() { return echo.getLocalPort(); }

    private void acceptEcho() {
        while (!echo.isClosed()) {
            try {
                Socket s = echo.accept();
                pool.execute(() -> {
                    try (s) {
                        s.getInputStream().transferTo(s.getOutputStream());
                        s.shutdownOutput();
                    } catch (IOException ignored) {
                        // client went away
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    static void writeSeeded(OutputStream out, long n, long seed) throws IOException {
        Random r = new Random(seed);
        byte[] buf = new byte[64 << 10];
        long left = n;
        while (left > 0) {
            r.nextBytes(buf);
            int k = (int) Math.min(buf.length, left);
            out.write(buf, 0, k);
            left -= k;
        }
    }

    static byte[] seededSha(long n) throws IOException {
        MessageDigest d = sha();
        OutputStream sink = new OutputStream() {
            @Override public void write(int b) { d.update((byte) b); }
            @Override public void write(byte[] b, int off, int len) { d.update(b, off, len); }
        };
        writeSeeded(sink, n, n);
        return d.digest();
    }

    static byte[] text(int n) {
        String[] words = {"wan", "optimizer", "branch", "office", "datacenter", "chunk", "dictionary", "latency",
            "loss", "stream", "reference", "literal", "zstd", "fingerprint", "packet", "window"};
        Random r = new Random(n);
        StringBuilder b = new StringBuilder(n + 16);
        while (b.length() < n) b.append(words[r.nextInt(words.length)]).append(r.nextInt(1000)).append(' ');
        return b.substring(0, n).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override public void close() throws IOException {
        http.stop(0);
        echo.close();
        pool.shutdownNow();
    }
}
