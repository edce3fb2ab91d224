package dev.wanx.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The demo's "real server": a page at / and {@code /bytes/N}, N deterministic bytes, so a client can check what it
 * received by SHA-256 without the origin having to tell it. JDK HttpServer: no extra dependency for a demo.
 */
final class DemoOrigin implements AutoCloseable {
    static final long MAX_BYTES = 1L << 30;
    private final HttpServer server;
    private final ExecutorService pool;

    private DemoOrigin(HttpServer server, ExecutorService pool) {
        this.server = server;
        this.pool = pool;
    }

    static DemoOrigin start(InetSocketAddress listen) throws IOException {
        HttpServer s = HttpServer.create(listen, 64);
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "wanx-demo-origin");
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(pool);
        s.createContext("/", DemoOrigin::handle);
        s.start();
        return new DemoOrigin(s, pool);
    }

    InetSocketAddress address() { return server.getAddress(); }

    private static void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/")) {
                byte[] page = ("<!doctype html><title>wanx demo</title>\n"
                        + "<h1>Hello through wanx</h1>\n"
                        + "<p>This page came from the demo origin on " + ex.getLocalAddress() + ", fetched for "
                        + ex.getRemoteAddress() + ".</p>\n"
                        + "<p>Try /bytes/1048576 for a megabyte of test data.</p>\n").getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                ex.sendResponseHeaders(200, page.length);
                ex.getResponseBody().write(page);
            } else if (path.startsWith("/bytes/")) {
                long n;
                try {
                    n = Long.parseLong(path.substring("/bytes/".length()));
                } catch (NumberFormatException e) {
                    n = -1;
                }
                if (n < 0 || n > MAX_BYTES) {
                    text(ex, 400, "expected /bytes/N with 0 <= N <= " + MAX_BYTES + "\n");
                    return;
                }
                ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                ex.sendResponseHeaders(200, n == 0 ? -1 : n);
                OutputStream out = ex.getResponseBody();
                Bytes gen = new Bytes();
                byte[] buf = new byte[64 * 1024];
                for (long left = n; left > 0; ) {
                    int k = (int) Math.min(buf.length, left);
                    gen.fill(buf, k);
                    out.write(buf, 0, k);
                    left -= k;
                }
            } else {
                text(ex, 404, "not found; try / or /bytes/N\n");
            }
        }
    }

    private static void text(HttpExchange ex, int code, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(code, b.length);
        ex.getResponseBody().write(b);
    }

    /** The /bytes stream: xorshift64, so it does not compress (an honest test of the tunnel, not of zstd). */
    static final class Bytes {
        private long x = 0x9E3779B97F4A7C15L;

        void fill(byte[] b, int len) {
            for (int i = 0; i < len; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                b[i] = (byte) x;
            }
        }
    }

    /** SHA-256 of the first n bytes of /bytes/n. */
    static byte[] sha256(long n) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            Bytes gen = new Bytes();
            byte[] buf = new byte[64 * 1024];
            for (long left = n; left > 0; ) {
                int k = (int) Math.min(buf.length, left);
                gen.fill(buf, k);
                md.update(buf, 0, k);
                left -= k;
            }
            return md.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
