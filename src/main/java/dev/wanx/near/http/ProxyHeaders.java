package dev.wanx.near.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Header rules for a forwarding proxy (RFC 9110 section 7.6): hop-by-hop headers describe one connection and
 * must not be forwarded; a Via entry records that we handled the message.
 */
final class ProxyHeaders {
    static final String VIA_NAME = "wanx";

    private ProxyHeaders() { }

    /**
     * Removes Connection and every header it lists, Keep-Alive, Proxy-*, TE, Trailer and Upgrade. Upgrade is
     * dropped (not tunnelled): the origin then answers the plain request, which every client must handle;
     * WebSocket clients behind a proxy use CONNECT. Transfer-Encoding stays: it frames the body we relay.
     */
    static void stripHopByHop(HttpHeaders h) {
        List<String> listed = new ArrayList<>();
        for (String v : h.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : v.split(",")) {
                String t = token.trim();
                if (!t.isEmpty()) listed.add(t);
            }
        }
        for (String name : listed) {
            // Never let a Connection token remove the body framing headers (a classic request-smuggling trick).
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("transfer-encoding") || lower.equals("content-length") || lower.equals("host")) continue;
            h.remove(name);
        }
        h.remove(HttpHeaderNames.CONNECTION);
        h.remove(HttpHeaderNames.KEEP_ALIVE);
        h.remove(HttpHeaderNames.PROXY_AUTHORIZATION);
        h.remove(HttpHeaderNames.PROXY_AUTHENTICATE);
        h.remove("Proxy-Connection");
        h.remove(HttpHeaderNames.TE);
        h.remove(HttpHeaderNames.TRAILER);
        h.remove(HttpHeaderNames.UPGRADE);
    }

    /** Whether the client wants this connection kept: HTTP/1.1 unless "close"; HTTP/1.0 only if asked. */
    static boolean clientKeepAlive(HttpMessage m) {
        HttpHeaders h = m.headers();
        String conn = h.get(HttpHeaderNames.CONNECTION);
        if (conn == null) conn = h.get("Proxy-Connection"); // old clients still send this instead
        if (conn != null && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)) return false;
        if (conn != null && conn.toLowerCase(Locale.ROOT).contains("close")) return false;
        if (m.protocolVersion().isKeepAliveDefault()) return true;
        return conn != null && conn.toLowerCase(Locale.ROOT).contains("keep-alive");
    }

    static void addVia(HttpHeaders h, HttpVersion version) {
        String entry = version.majorVersion() + "." + version.minorVersion() + " " + VIA_NAME;
        String old = h.get(HttpHeaderNames.VIA);
        h.set(HttpHeaderNames.VIA, old == null ? entry : old + ", " + entry);
    }
}
