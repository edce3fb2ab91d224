package dev.wanx.near.socks;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.near.FakeConduit;
import dev.wanx.near.FrontendLimits;
import dev.wanx.near.OutboundDialer;
import dev.wanx.near.TestNet;
import dev.wanx.relay.Conduit;
import dev.wanx.transport.DialError;
import dev.wanx.transport.StreamOpen;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The SOCKS5 handshake on an EmbeddedChannel, byte for byte. */
class Socks5ServerHandlerTest {
    private EmbeddedChannel ch;
    private final List<StreamOpen> dests = new ArrayList<>();
    private final List<CompletableFuture<Conduit>> futures = new ArrayList<>();
    private final OutboundDialer scripted = (dest, url, first) -> {
        dests.add(dest);
        CompletableFuture<Conduit> f = new CompletableFuture<>();
        futures.add(f);
        return f;
    };

    private void channel(OutboundDialer d, Socks5Credentials creds) {
        ch = new EmbeddedChannel();
        Socks5Frontend.init(ch.pipeline(), d, creds, FrontendLimits.DEFAULTS.withHandshakeTimeout(Duration.ofSeconds(10)));
        ch.pipeline().fireChannelActive();
    }

    @AfterEach void tearDown() {
        if (ch != null) ch.finishAndReleaseAll();
    }

    private void send(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) bytes[i];
        ch.writeInbound(Unpooled.wrappedBuffer(b));
    }

    private String out() {
        ch.runPendingTasks(); // a conduit's writes reach the channel on a task of its loop
        StringBuilder sb = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            sb.append(ByteBufUtil.hexDump(b));
            b.release();
        }
        return sb.toString();
    }

    @Test void connectIpv4ThenRelayWithPipelinedData() {
        channel(scripted, null);
        send(5, 1, 0);
        assertEquals("0500", out());
        send(5, 1, 0, 1, 10, 1, 2, 3, 0x01, 0xBB, 'h', 'i'); // request + pipelined data
        assertEquals("10.1.2.3:443/raw", dests.get(0).toString());
        FakeConduit up = new FakeConduit();
        futures.get(0).complete(up);
        ch.runPendingTasks();
        assertEquals("05000001" + "00000000" + "0000", out());
        assertEquals("hi", up.written.toString());
        assertNull(ch.pipeline().get(Socks5Frontend.DECODER));
        assertNull(ch.pipeline().get(Socks5Frontend.ENCODER));
        up.receive("back");
        assertEquals(ByteBufUtil.hexDump("back".getBytes(StandardCharsets.US_ASCII)), out());
    }

    @Test void domainAndIpv6Addresses() {
        channel(scripted, null);
        send(5, 1, 0);
        out();
        send(5, 1, 0, 3, 4, 'h', 'o', 's', 't', 0, 80);
        assertEquals("host:80/http", dests.get(0).toString());
        ch.finishAndReleaseAll();
        channel(scripted, null);
        send(5, 1, 0);
        out();
        send(5, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 22);
        assertEquals("[::1]:22/raw", dests.get(1).toString());
    }

    @Test void pipelinedGreetingAuthAndRequest() {
        channel(scripted, new Socks5Credentials("u", "p"));
        send(5, 1, 2, /* auth */ 1, 1, 'u', 1, 'p', /* request */ 5, 1, 0, 1, 127, 0, 0, 1, 0, 7);
        assertEquals("0502" + "0100", out());
        assertEquals("127.0.0.1:7/raw", dests.get(0).toString());
    }

    @Test void wrongPasswordAndMissingMethodAreRefused() {
        channel(scripted, new Socks5Credentials("u", "p"));
        send(5, 1, 2);
        assertEquals("0502", out());
        send(1, 1, 'u', 1, 'x');
        assertEquals("01ff", out()); // RFC 1929: any non-zero status is failure; Netty uses 0xFF
        assertFalse(ch.isOpen());
        ch.finishAndReleaseAll();
        channel(scripted, new Socks5Credentials("u", "p"));
        send(5, 1, 0);
        assertEquals("05ff", out());
        assertFalse(ch.isOpen());
        assertTrue(dests.isEmpty());
    }

    @Test void bindAndUdpAssociateAreUnsupported() {
        for (int cmd : new int[] {2, 3}) {
            channel(scripted, null);
            send(5, 1, 0);
            out();
            send(5, cmd, 0, 1, 127, 0, 0, 1, 0, 80);
            assertEquals("05070001000000000000", out());
            assertFalse(ch.isOpen());
            ch.finishAndReleaseAll();
        }
        assertTrue(dests.isEmpty());
    }

    @Test void dialErrorsMapToReplyCodes() {
        for (DialError e : DialError.values()) {
            channel(TestNet.failing(e), null);
            send(5, 1, 0);
            out();
            send(5, 1, 0, 1, 127, 0, 0, 1, 0, 80);
            ch.runPendingTasks();
            int want = Socks5ServerHandler.status(e).byteValue();
            assertEquals(String.format("05%02x0001000000000000", want), out(), e.name());
            assertFalse(ch.isOpen());
            ch.finishAndReleaseAll();
        }
        assertEquals(Socks5CommandStatus.CONNECTION_REFUSED, Socks5ServerHandler.status(DialError.REFUSED));
        assertEquals(Socks5CommandStatus.HOST_UNREACHABLE, Socks5ServerHandler.status(DialError.UNREACHABLE));
        assertEquals(Socks5CommandStatus.HOST_UNREACHABLE, Socks5ServerHandler.status(DialError.UNKNOWN_HOST));
        assertEquals(Socks5CommandStatus.FORBIDDEN, Socks5ServerHandler.status(DialError.DENIED));
        assertEquals(Socks5CommandStatus.TTL_EXPIRED, Socks5ServerHandler.status(DialError.TIMEOUT));
        assertEquals(Socks5CommandStatus.FAILURE, Socks5ServerHandler.status(DialError.TUNNEL_DOWN));
        assertEquals(Socks5CommandStatus.FAILURE, Socks5ServerHandler.status(DialError.GENERAL));
    }

    @Test void socks4AndGarbageAreClosedWithoutReply() {
        channel(scripted, null);
        send(4, 1, 0, 80, 127, 0, 0, 1, 0);
        assertEquals("", out());
        assertFalse(ch.isOpen());
        ch.finishAndReleaseAll();
        channel(scripted, null);
        send('G', 'E', 'T', ' ');
        assertFalse(ch.isOpen());
    }

    @Test void truncatedHandshakeIsClosedByTimeout() {
        channel(scripted, null);
        send(5, 1, 0);
        out();
        send(5, 1, 0, 3, 20, 'a'); // request cut short
        ch.advanceTimeBy(9, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isOpen());
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertFalse(ch.isOpen());
        assertTrue(dests.isEmpty());
    }

    @Test void credentialsCompareBothFields() {
        Socks5Credentials c = new Socks5Credentials("user", "pass");
        assertTrue(c.matches("user", "pass"));
        assertFalse(c.matches("user", "pas"));
        assertFalse(c.matches("usr", "pass"));
        assertFalse(c.matches(null, null));
        assertFalse(c.toString().contains("pass"));
    }
}
