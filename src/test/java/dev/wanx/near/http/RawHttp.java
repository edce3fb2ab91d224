package dev.wanx.near.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A deliberately dumb HTTP/1.1 response reader for tests, so the client side is fully under test control. */
final class RawHttp {
    record Response(int status, Map<String, String> headers, byte[] body) {
        String text() { return new String(body, StandardCharsets.UTF_8); }
        String header(String name) { return headers.get(name.toLowerCase(Locale.ROOT)); }
    }

    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') break;
            if (c != '\r') b.write(c);
        }
        if (c == -1 && b.size() == 0) throw new java.io.EOFException("connection closed");
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    static Response read(InputStream in, boolean head) throws IOException {
        while (true) {
            String status = line(in);
            int code = Integer.parseInt(status.split(" ")[1]);
            Map<String, String> h = new LinkedHashMap<>();
            for (String l; !(l = line(in)).isEmpty(); ) {
                int colon = l.indexOf(':');
                h.merge(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
            }
            if (code >= 100 && code < 200) continue; // interim
            if (head || code == 204 || code == 304) return new Response(code, h, new byte[0]);
            if ("chunked".equalsIgnoreCase(h.get("transfer-encoding"))) {
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                while (true) {
                    int n = Integer.parseInt(line(in).split(";")[0].trim(), 16);
                    if (n == 0) {
                        while (!line(in).isEmpty()) { }
                        break;
                    }
                    body.write(in.readNBytes(n));
                    line(in);
                }
                return new Response(code, h, body.toByteArray());
            }
            if (h.containsKey("content-length")) {
                int n = Integer.parseInt(h.get("content-length"));
                byte[] b = in.readNBytes(n);
                if (b.length != n) throw new java.io.EOFException("short body");
                return new Response(code, h, b);
            }
            return new Response(code, h, in.readAllBytes());
        }
    }

    /** Feeds {@code s} to an embedded proxy handler as the client's bytes. */
    static void send(io.netty.channel.embedded.EmbeddedChannel ch, String s) {
        ch.writeInbound(io.netty.buffer.Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1));
    }

    /** Everything the embedded handler wrote to its client so far, released. */
    static String output(io.netty.channel.embedded.EmbeddedChannel ch) {
        ch.runPendingTasks(); // a conduit's writes reach the channel on a task of its loop
        StringBuilder sb = new StringBuilder();
        for (io.netty.buffer.ByteBuf b; (b = ch.readOutbound()) != null; ) {
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }
}
