package dev.wanx.near.http;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class ProxyTargetTest {
    @Test void parsesAbsoluteForm() {
        assertEquals(new ProxyTarget("h", 80, "h", "/"), ProxyTarget.parse("http://h"));
        assertEquals(new ProxyTarget("h", 80, "h", "/?q"), ProxyTarget.parse("http://h?q"));
        assertEquals(new ProxyTarget("h", 8080, "h:8080", "/a/b?c=%20|x"), ProxyTarget.parse("HTTP://u:p@h:8080/a/b?c=%20|x#f"));
        assertEquals(new ProxyTarget("::1", 81, "[::1]:81", "/"), ProxyTarget.parse("http://[::1]:81/"));
        assertEquals("[::1]:81", ProxyTarget.parse("http://[::1]:81/").hostPort());
    }

    @Test void rejectsOthers() {
        for (String bad : new String[] {"/x", "https://h/", "http://", "http://:80/", "http://h:0/", "http://h:99999/",
                "http://h:8a/", "http://[::1/", "ftp://h/"}) {
            assertNull(ProxyTarget.parse(bad), bad);
        }
    }

    @Test void stripsHopByHopButNeverBodyFraming() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Connection", "close, X-A, Transfer-Encoding");
        h.add("Connection", "X-B");
        h.add("X-A", "1").add("X-B", "2").add("X-C", "3").add("Transfer-Encoding", "chunked")
                .add("Proxy-Connection", "keep-alive").add("Keep-Alive", "1").add("TE", "x").add("Trailer", "y")
                .add("Upgrade", "z").add("Proxy-Authorization", "p");
        ProxyHeaders.stripHopByHop(h);
        assertEquals("chunked", h.get("Transfer-Encoding"));
        assertEquals("3", h.get("X-C"));
        assertEquals(2, h.size(), h.toString());
    }

    @Test void keepAliveRules() {
        assertTrue(ProxyHeaders.clientKeepAlive(req(HttpVersion.HTTP_1_1, null, null)));
        assertFalse(ProxyHeaders.clientKeepAlive(req(HttpVersion.HTTP_1_1, "close", null)));
        assertFalse(ProxyHeaders.clientKeepAlive(req(HttpVersion.HTTP_1_0, null, null)));
        assertTrue(ProxyHeaders.clientKeepAlive(req(HttpVersion.HTTP_1_0, null, "keep-alive")));
        assertTrue(ProxyHeaders.clientKeepAlive(req(HttpVersion.HTTP_1_0, "Keep-Alive", null)));
    }

    @Test void viaIsAppended() {
        HttpHeaders h = new DefaultHttpHeaders().add("Via", "1.0 fred");
        ProxyHeaders.addVia(h, HttpVersion.HTTP_1_1);
        assertEquals("1.0 fred, 1.1 wanx", h.get("Via"));
    }

    private static DefaultHttpRequest req(HttpVersion v, String conn, String proxyConn) {
        DefaultHttpRequest r = new DefaultHttpRequest(v, HttpMethod.GET, "http://h/");
        if (conn != null) r.headers().set("Connection", conn);
        if (proxyConn != null) r.headers().set("Proxy-Connection", proxyConn);
        return r;
    }
}
