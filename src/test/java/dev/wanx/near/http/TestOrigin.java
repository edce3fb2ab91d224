package dev.wanx.near.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.wanx.near.TestNet;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real origin for proxy tests (JDK HttpServer). Paths: /hello, /echo (answers the body's SHA-256 and length),
 * /big?n=N (N seeded random bytes, chunked), /headers (the request headers as name: value lines).
 */
final class TestOrigin implements AutoCloseable {
    final HttpServer server;
    final String name;
    final AtomicInteger connections = new AtomicInteger();

    TestOrigin(String name) throws IOException {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "origin-" + name);
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/hello", ex -> send(ex, 200, ("hello from " + name + " " + ex.getRequestURI()).getBytes(StandardCharsets.UTF_8), false));
        server.createContext("/echo", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            send(ex, 200, (TestNet.sha256(body) + " " + body.length).getBytes(StandardCharsets.UTF_8), false);
        });
        server.createContext("/big", ex -> {
            int n = Integer.parseInt(ex.getRequestURI().getQuery().substring(2));
            send(ex, 200, TestNet.random(n, n), true);
        });
        server.createContext("/headers", ex -> {
            Map<String, String> sorted = new TreeMap<>();
            ex.getRequestHeaders().forEach((k, v) -> sorted.put(k.toLowerCase(), String.join(",", v)));
            StringBuilder sb = new StringBuilder(ex.getRequestMethod() + " " + ex.getRequestURI() + "\n");
            sorted.forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
            send(ex, 200, sb.toString().getBytes(StandardCharsets.UTF_8), false);
        });
        server.start();
    }

    int port() { return server.getAddress().getPort(); }

    private static void send(HttpExchange ex, int status, byte[] body, boolean chunked) throws IOException {
        ex.getResponseHeaders().set("Connection", "keep-alive");
        ex.getResponseHeaders().set("Keep-Alive", "timeout=60");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", String.valueOf(body.length));
            ex.sendResponseHeaders(status, -1);
            ex.close();
            return;
        }
        ex.sendResponseHeaders(status, chunked ? 0 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override public void close() {
        server.stop(0);
    }
}
