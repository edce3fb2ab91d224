package dev.wanx.near.http;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.near.FakeConduit;
import dev.wanx.near.FrontendLimits;
import dev.wanx.near.OutboundDialer;
import dev.wanx.near.TestNet;
import dev.wanx.relay.Conduit;
import dev.wanx.transport.DialError;
import dev.wanx.transport.StreamOpen;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The proxy pipeline on an EmbeddedChannel: parsing, rewriting, error mapping, response framing. */
class HttpProxyHandlerTest {
    /** Records each dial (with its first data as text) and lets the test complete it. */
    static final class ScriptedDialer implements OutboundDialer {
        final List<StreamOpen> dests = new ArrayList<>();
        final List<String> urls = new ArrayList<>();
        final List<String> firstData = new ArrayList<>();
        final List<CompletableFuture<Conduit>> futures = new ArrayList<>();

        @Override public CompletableFuture<Conduit> dial(StreamOpen dest, String url, ByteBuf first) {
            dests.add(dest);
            urls.add(url);
            firstData.add(first == null ? "" : first.toString(StandardCharsets.ISO_8859_1));
            if (first != null) first.release();
            CompletableFuture<Conduit> f = new CompletableFuture<>();
            futures.add(f);
            return f;
        }
    }

    private EmbeddedChannel ch;

    private EmbeddedChannel channel(OutboundDialer d) {
        ch = new EmbeddedChannel();
        HttpProxyFrontend.init(ch.pipeline(), d, FrontendLimits.DEFAULTS.withHeaderTimeout(Duration.ofSeconds(30)));
        ch.pipeline().fireChannelActive();
        return ch;
    }

    @AfterEach void tearDown() {
        if (ch != null) ch.finishAndReleaseAll();
    }

    private void send(String s) { RawHttp.send(ch, s); }

    private String output() { return RawHttp.output(ch); }

    @Test void absoluteFormIsRewrittenAndRidesAsFirstData() {
        ScriptedDialer d = new ScriptedDialer();
        channel(d);
        send("POST http://example.com:8080/a/b?c=d HTTP/1.1\r\nHost: example.com:8080\r\nProxy-Connection: keep-alive\r\n"
                + "Proxy-Authorization: Basic eA==\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: 5\r\n"
                + "TE: trailers\r\nTrailer: X-T\r\nUpgrade: h2c\r\nContent-Length: 5\r\n\r\nhello");
        assertEquals(1, d.dests.size());
        assertEquals("example.com", d.dests.get(0).host());
        assertEquals(8080, d.dests.get(0).port());
        assertEquals("http://example.com:8080/a/b?c=d", d.urls.get(0));
        String first = d.firstData.get(0);
        assertTrue(first.startsWith("POST /a/b?c=d HTTP/1.1\r\n"), first);
        assertTrue(first.endsWith("\r\n\r\nhello"), "head and body in one open: " + first);
        assertTrue(first.contains("via: 1.1 wanx") || first.contains("Via: 1.1 wanx"), first);
        for (String gone : new String[] {"Proxy-", "X-Hop", "Keep-Alive", "TE:", "Trailer", "Upgrade", "onnection"}) {
            assertFalse(first.contains(gone), gone + " leaked: " + first);
        }
    }

    @Test void responseIsRelayedWithHopByHopStrippedAndNextRequestReusesUpstream() {
        ScriptedDialer d = new ScriptedDialer();
        channel(d);
        send("GET http://h/1 HTTP/1.1\r\nHost: h\r\n\r\n");
        FakeConduit up = new FakeConduit();
        d.futures.get(0).complete(up);
        ch.runPendingTasks();
        up.receive("HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Conn\r\nX-Conn: a\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nok");
        String out = output();
        assertTrue(out.startsWith("HTTP/1.1 200 OK\r\n"), out);
        assertTrue(out.endsWith("\r\n\r\nok"), out);
        assertFalse(out.contains("X-Conn"), out);
        assertFalse(out.contains("Keep-Alive"), out);
        send("GET http://h/2 HTTP/1.1\r\nHost: h\r\n\r\n");
        assertEquals(1, d.dests.size(), "same host:port reuses the upstream");
        assertTrue(up.written.toString().startsWith("GET /2 HTTP/1.1"), up.written.toString());
        send("GET http://other/3 HTTP/1.1\r\nHost: other\r\n\r\n"); // pipelined behind /2: waits
        assertEquals(1, d.dests.size());
        up.receive("HTTP/1.1 204 No Content\r\n\r\n");
        assertTrue(output().startsWith("HTTP/1.1 204"));
        assertEquals(2, d.dests.size(), "next host dialed once /2 is answered");
        assertTrue(up.aborted, "upstream to another host is dropped");
    }

    @Test void http10ClientGetsUnchunkedBodyAndClose() {
        ScriptedDialer d = new ScriptedDialer();
        channel(d);
        send("GET http://h/ HTTP/1.0\r\n\r\n");
        FakeConduit up = new FakeConduit();
        d.futures.get(0).complete(up);
        ch.runPendingTasks();
        up.receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        String out = output();
        assertTrue(out.startsWith("HTTP/1.0 200 OK\r\n"), out);
        assertTrue(out.contains("connection: close") || out.contains("Connection: close"), out);
        assertTrue(out.endsWith("\r\n\r\nabc"), out);
        assertFalse(ch.isOpen());
    }

    @Test void upstreamEndingMidResponseClosesClientWithoutStatus() {
        ScriptedDialer d = new ScriptedDialer();
        channel(d);
        send("GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n");
        FakeConduit up = new FakeConduit();
        d.futures.get(0).complete(up);
        ch.runPendingTasks();
        up.receive("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        up.sink.onClosed(new java.io.IOException("reset"));
        String out = output();
        assertTrue(out.endsWith("abc"), out);
        assertFalse(ch.isOpen());
    }

    @Test void dialErrorsMapToStatuses() {
        for (DialError e : DialError.values()) {
            channel(TestNet.failing(e));
            send("GET http://dest.example:81/x HTTP/1.1\r\nHost: dest.example:81\r\n\r\n");
            ch.runPendingTasks();
            String out = output();
            String want = switch (e) {
                case TIMEOUT -> "504 Gateway Timeout";
                case DENIED -> "403 Forbidden";
                default -> "502 Bad Gateway";
            };
            assertTrue(out.startsWith("HTTP/1.1 " + want), e + ": " + out);
            assertTrue(out.contains("dest.example:81"), out);
            assertFalse(ch.isOpen(), "closed after " + e);
            ch.finishAndReleaseAll();
        }
    }

    @Test void malformedOversizedAndOriginFormRequestsAreRejected() {
        channel(new ScriptedDialer());
        send("\u0000\u0001 garbage\r\n\r\n");
        assertTrue(output().startsWith("HTTP/1.1 400"));
        assertFalse(ch.isOpen());
        ch.finishAndReleaseAll();

        channel(new ScriptedDialer());
        send("GET http://h/ HTTP/1.1\r\nX-Big: " + "a".repeat(33 * 1024) + "\r\n\r\n");
        assertTrue(output().startsWith("HTTP/1.1 431"));
        assertFalse(ch.isOpen());
        ch.finishAndReleaseAll();

        channel(new ScriptedDialer());
        send("GET http://h/" + "a".repeat(9 * 1024) + " HTTP/1.1\r\n\r\n");
        assertTrue(output().startsWith("HTTP/1.1 414"));
        ch.finishAndReleaseAll();

        channel(new ScriptedDialer());
        send("GET /path HTTP/1.1\r\nHost: h\r\n\r\n");
        String out = output();
        assertTrue(out.startsWith("HTTP/1.1 400"), out);
        assertTrue(out.contains("this is a proxy"), out);
        ch.finishAndReleaseAll();

        channel(new ScriptedDialer());
        send("GET https://h/ HTTP/1.1\r\nHost: h\r\n\r\n");
        assertTrue(output().contains("use CONNECT"));
    }

    @Test void connectRemovesHttpCodecAndKeepsPipelinedBytes() {
        ScriptedDialer d = new ScriptedDialer();
        channel(d);
        send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\u0016\u0003\u0001client-hello");
        assertNull(ch.pipeline().get(HttpProxyFrontend.CODEC));
        assertEquals("example.com:443/raw", d.dests.get(0).toString());
        assertNull(d.urls.get(0));
        FakeConduit up = new FakeConduit();
        d.futures.get(0).complete(up);
        ch.runPendingTasks();
        assertEquals(ConnectTunnel.ESTABLISHED, output());
        assertEquals("\u0016\u0003\u0001client-hello", up.written.toString());
        send("more");
        assertEquals("\u0016\u0003\u0001client-hellomore", up.written.toString());
        up.receive("server-hello");
        assertEquals("server-hello", output());
    }

    @Test void connectToPort80GetsHttpHintAndBadAuthorityGets400() {
        ScriptedDialer d = new ScriptedDialer();
        channel(d);
        send("CONNECT h:80 HTTP/1.1\r\n\r\n");
        assertEquals("h:80/http", d.dests.get(0).toString());
        ch.finishAndReleaseAll();
        channel(d);
        send("CONNECT nohost HTTP/1.1\r\n\r\n");
        assertTrue(output().startsWith("HTTP/1.1 400"));
        assertFalse(ch.isOpen());
    }

    @Test void headerTimeoutClosesSlowClient() {
        ch = new EmbeddedChannel();
        HttpProxyFrontend.init(ch.pipeline(), new ScriptedDialer(), FrontendLimits.DEFAULTS.withHeaderTimeout(Duration.ofSeconds(30)));
        ch.pipeline().fireChannelActive();
        send("GET http://h/ HTTP/1.1\r\nHost:");
        ch.advanceTimeBy(29, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isOpen());
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertFalse(ch.isOpen());
    }

    @Test void headerTimeoutStopsOnceTheHeadArrives() {
        channel(new ScriptedDialer());
        send("GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n");
        ch.advanceTimeBy(60, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isOpen(), "waiting for the origin is not the client's fault");
    }

    @Test void interim100ContinueIsForwardedAndExchangeContinues() {
        ScriptedDialer d = new ScriptedDialer();
        channel(d);
        send("POST http://h/up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
        FakeConduit up = new FakeConduit();
        d.futures.get(0).complete(up);
        ch.runPendingTasks();
        up.receive("HTTP/1.1 100 Continue\r\n\r\n");
        assertTrue(output().startsWith("HTTP/1.1 100 Continue\r\n"));
        send("abc");
        assertEquals("abc", up.written.toString()); // the head rode as first data
        up.receive("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
        assertTrue(output().startsWith("HTTP/1.1 201 Created"));
        assertTrue(ch.isOpen());
    }

    @Test void fullUpstreamPausesClientReads() {
        ScriptedDialer d = new ScriptedDialer();
        channel(d);
        send("POST http://h/up HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nab");
        assertFalse(ch.config().isAutoRead(), "no reading while dialing");
        FakeConduit up = new FakeConduit();
        up.writable = false;
        d.futures.get(0).complete(up);
        ch.runPendingTasks();
        assertFalse(ch.config().isAutoRead(), "upstream full: client paused");
        up.writable = true;
        up.sink.onWritabilityChanged(true);
        assertTrue(ch.config().isAutoRead(), "upstream drained: client resumed");
    }
}
