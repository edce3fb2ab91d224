package dev.wanx.transport.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wanx.transport.FrameLink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RetryTokenTest {
    final InetSocketAddress a = new InetSocketAddress("10.0.0.1", 4000);

    @Test
    void aTokenIsValidOnlyForItsAddressConnectionAndLifetime() {
        RetryTokens t = new RetryTokens(new SecureRandom());
        byte[] tok = t.issue(a, 42, 1_000_000);
        assertTrue(t.valid(tok, a, 42, 1_000_000 + RetryTokens.LIFETIME_MS));
        assertFalse(t.valid(tok, new InetSocketAddress("10.0.0.1", 4001), 42, 1_000_000), "another port");
        assertFalse(t.valid(tok, new InetSocketAddress("10.0.0.2", 4000), 42, 1_000_000), "another address");
        assertFalse(t.valid(tok, a, 43, 1_000_000), "another connection");
        assertFalse(t.valid(tok, a, 42, 1_000_001 + RetryTokens.LIFETIME_MS), "expired");
        byte[] forged = tok.clone();
        forged[20] ^= 1;
        assertFalse(t.valid(forged, a, 42, 1_000_000), "tampered");
        assertFalse(new RetryTokens(new SecureRandom()).valid(tok, a, 42, 1_000_000), "another server's key");
        assertFalse(t.valid(new byte[0], a, 42, 1_000_000));
        assertFalse(t.valid(null, a, 42, 1_000_000));
    }

    @Test
    void theInitialCarriesTheTokenInItsPaddingAndTheRetryIsSmall() {
        byte[] msg = new byte[96];
        byte[] tok = new byte[RetryTokens.LENGTH];
        tok[0] = 7;
        ByteBuf plain = HandshakePacket.encode(UnpooledByteBufAllocator.DEFAULT, PacketHeader.TYPE_INITIAL, 5, msg);
        ByteBuf with = HandshakePacket.encode(UnpooledByteBufAllocator.DEFAULT, PacketHeader.TYPE_INITIAL, 5, msg, tok);
        ByteBuf retry = HandshakePacket.encodeRetry(UnpooledByteBufAllocator.DEFAULT, 5, tok);
        try {
            assertEquals(0, HandshakePacket.initialToken(plain).length, "zero padding reads as no token");
            assertArrayEquals(tok, HandshakePacket.initialToken(with));
            assertArrayEquals(msg, HandshakePacket.message(with, PacketHeader.TYPE_INITIAL));
            assertEquals(plain.readableBytes(), with.readableBytes(), "same 1200 bytes on the wire");
            assertArrayEquals(tok, HandshakePacket.retryToken(retry));
            assertTrue(retry.readableBytes() < 64, "a RETRY is far smaller than the INITIAL it answers");
        } finally {
            plain.release();
            with.release();
            retry.release();
        }
    }

    @Test
    void underLoadANearConnectsThroughOneRetry() throws Exception {
        try (LinkPair p = new LinkPair(UdpOptions.defaults(), UdpOptions.defaults(), 0)) {
            FrameLink far = p.farLink.get(10, TimeUnit.SECONDS);
            assertNotNull(far);
            assertEquals(1, p.server.retriesSent, "one RETRY, then the echoed token is accepted");
            assertEquals(1, p.server.handshakes);
            LinkPair.Sink sink = new LinkPair.Sink(100);
            far.setHandler(sink);
            byte[] sent = LinkPair.pump(p.near, 100, 500, 3);
            assertTrue(sink.done.await(10, TimeUnit.SECONDS));
            assertArrayEquals(sent, sink.sha());
        }
    }
}
