package dev.wanx.near.http;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.near.FakeConduit;
import dev.wanx.near.FrontendLimits;
import dev.wanx.near.http.HttpProxyHandlerTest.ScriptedDialer;
import dev.wanx.transport.DialError;
import dev.wanx.transport.DialException;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The retry decision when the tunnel under a plain-HTTP request goes down (its stream ends with TUNNEL_DOWN): sent
 * once more only if the method is idempotent, the body complete and small enough to have been kept, and no response
 * byte reached the client; otherwise a 502 with the reason, or a closed connection once the response has started.
 */
class TunnelLossRetryTest {
    private EmbeddedChannel ch;
    private ScriptedDialer d;

    @AfterEach void tearDown() {
        if (ch != null) ch.finishAndReleaseAll();
    }

    private void open() {
        d = new ScriptedDialer();
        ch = new EmbeddedChannel();
        HttpProxyFrontend.init(ch.pipeline(), d, FrontendLimits.DEFAULTS.withHeaderTimeout(Duration.ofSeconds(30)));
        ch.pipeline().fireChannelActive();
    }

    private void send(String s) { RawHttp.send(ch, s); }

    private String output() { return RawHttp.output(ch); }

    /** Completes dial {@code i} with a fresh in-memory upstream. */
    private FakeConduit dialed(int i) {
        FakeConduit up = new FakeConduit();
        d.futures.get(i).complete(up);
        ch.runPendingTasks();
        return up;
    }

    /** What the session does to its streams when it closes (MuxSession.onClosed). */
    private void tunnelDown(FakeConduit up) {
        up.sink.onClosed(new DialException(DialError.TUNNEL_DOWN, "tunnel down: far silent"));
        ch.runPendingTasks(); // the retry waits one loop turn, for the session manager to start its re-probe
    }

    private static String sentOn(ScriptedDialer d, FakeConduit up, int i) {
        return d.firstData.get(i) + up.written;
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
    void idempotentRequestIsSentOnceMoreAndAnsweredOnce(String method) {
        open();
        String body = method.equals("PUT") ? "put-body" : "";
        send(method + " http://h:81/r?q=1 HTTP/1.1\r\nHost: h:81\r\n"
                + (body.isEmpty() ? "" : "Content-Length: " + body.length() + "\r\n") + "\r\n" + body);
        FakeConduit up1 = dialed(0);
        String first = sentOn(d, up1, 0);
        tunnelDown(up1);
        assertEquals(2, d.dests.size(), method + " dialed again");
        assertEquals("h:81", d.dests.get(1).hostPort());
        assertEquals("http://h:81/r?q=1", d.urls.get(1), "the router sees the URL again (--accelerate)");
        FakeConduit up2 = dialed(1);
        assertEquals(first, sentOn(d, up2, 1), "the same request bytes, body included");
        assertEquals("", output(), "nothing reached the client yet");
        // HEAD: the new upstream's codec must know the request was HEAD (a Content-Length but no body follows).
        up2.receive("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n" + (method.equals("HEAD") ? "" : "ok"));
        String out = output();
        assertTrue(out.startsWith("HTTP/1.1 200 OK\r\n"), out);
        assertTrue(out.endsWith(method.equals("HEAD") ? "\r\n\r\n" : "\r\n\r\nok"), out);
        assertEquals(1, out.split("HTTP/1.1 ", -1).length - 1, "one response: " + out);
        assertTrue(ch.isOpen(), "keep-alive goes on after a retried exchange");
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PATCH"})
    void nonIdempotentRequestGets502AndIsNotSentAgain(String method) {
        open();
        send(method + " http://h/order HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
        tunnelDown(dialed(0));
        String out = output();
        assertTrue(out.startsWith("HTTP/1.1 502 Bad Gateway\r\n"), out);
        assertTrue(out.endsWith("wanx: tunnel went down before h:80 answered; not retried: " + method + " is not idempotent\n"), out);
        assertEquals(1, d.dests.size(), "dialed once only");
        assertFalse(ch.isOpen());
    }

    @Test void responseAlreadyStartedClosesTheClientWithoutRetry() {
        open();
        send("GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n");
        FakeConduit up = dialed(0);
        up.receive("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        tunnelDown(up);
        String out = output();
        assertTrue(out.startsWith("HTTP/1.1 200 OK") && out.endsWith("abc"), out);
        assertFalse(out.contains("502"), out);
        assertEquals(1, d.dests.size());
        assertFalse(ch.isOpen(), "a broken connection is the only honest end");
    }

    @Test void closeDelimitedResponseCutByTheTunnelIsNotMadeToLookComplete() {
        open();
        send("GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n");
        FakeConduit up = dialed(0);
        up.receive("HTTP/1.1 200 OK\r\n\r\nabc"); // no length: the origin would delimit it by closing
        tunnelDown(up);
        String out = output();
        assertTrue(out.contains("abc"), out);
        assertFalse(out.endsWith("0\r\n\r\n"), "no final chunk after a cut: " + out);
        assertFalse(ch.isOpen());
    }

    @Test void partialResponseHeadNotYetForwardedStillAllowsTheRetry() {
        open();
        send("GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n");
        FakeConduit up = dialed(0);
        up.receive("HTTP/1.1 200 OK\r\nContent-"); // bytes reached the near, none the client
        tunnelDown(up);
        assertEquals("", output());
        assertEquals(2, d.dests.size());
    }

    @Test void bodyUpToTheLimitIsKeptAndOneByteMoreIsNot() {
        String kept = "x".repeat(64 * 1024); // RequestReplay.MAX_BODY
        open();
        send("PUT http://h/f HTTP/1.1\r\nHost: h\r\nContent-Length: " + kept.length() + "\r\n\r\n" + kept);
        FakeConduit up1 = dialed(0);
        String first = sentOn(d, up1, 0);
        tunnelDown(up1);
        assertEquals(2, d.dests.size());
        assertEquals(first, sentOn(d, dialed(1), 1));
        ch.finishAndReleaseAll();

        open();
        send("PUT http://h/f HTTP/1.1\r\nHost: h\r\nContent-Length: " + (kept.length() + 1) + "\r\n\r\n" + kept + "y");
        tunnelDown(dialed(0));
        String out = output();
        assertTrue(out.startsWith("HTTP/1.1 502"), out);
        assertTrue(out.contains("not retried: request body over 64 KiB is not kept"), out);
        assertEquals(1, d.dests.size());
    }

    @Test void chunkedBodyAndTrailersAreReplayed() {
        open();
        send("PUT http://h/f HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nX-Sum: 5\r\n\r\n");
        tunnelDown(dialed(0));
        assertEquals(2, d.dests.size());
        String again = sentOn(d, dialed(1), 1);
        assertTrue(again.contains("abcde") && again.contains("X-Sum: 5\r\n\r\n"), again);
        assertTrue(again.endsWith("0\r\nX-Sum: 5\r\n\r\n"), again);
    }

    @Test void incompleteBodyGets502() {
        open();
        send("PUT http://h/f HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc");
        tunnelDown(dialed(0));
        String out = output();
        assertTrue(out.startsWith("HTTP/1.1 502"), out);
        assertTrue(out.contains("not retried: request body was not complete"), out);
        assertEquals(1, d.dests.size());
    }

    @Test void atMostOneRetry() {
        open();
        send("GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n");
        tunnelDown(dialed(0));
        tunnelDown(dialed(1));
        String out = output();
        assertTrue(out.startsWith("HTTP/1.1 502"), out);
        assertTrue(out.contains("not retried: already retried once"), out);
        assertEquals(2, d.dests.size());
    }

    @Test void otherUpstreamEndsAreNotRetried() {
        for (Throwable cause : new Throwable[] {new IOException("connection reset"),
                new DialException(DialError.GENERAL, "origin reset")}) {
            open();
            send("GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n");
            dialed(0).sink.onClosed(cause);
            ch.runPendingTasks();
            String out = output();
            assertTrue(out.startsWith("HTTP/1.1 502") && out.contains("closed the connection without a response"), out);
            assertEquals(1, d.dests.size(), cause.toString());
            ch.finishAndReleaseAll();
        }
    }

    @Test void clientGoneBeforeTheRetryRunsLeaksNothing() {
        open();
        send("PUT http://h/f HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
        dialed(0).sink.onClosed(new DialException(DialError.TUNNEL_DOWN, "tunnel down"));
        ch.pipeline().fireChannelInactive(); // the client went away before the deferred retry ran
        ch.runPendingTasks(); // the kept body was freed, not sent (paranoid leak detection checks)
        assertEquals(1, d.dests.size());
    }
}
