package dev.wanx.transport.udp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless retry tokens (as QUIC's Retry): under load the far answers an INITIAL without a valid token with a
 * small RETRY carrying one, and spends Diffie-Hellman work and memory only on INITIALs that echo it, i.e. on
 * peers that really receive at the address they send from. Token = issue time (8, unix millis) | HMAC-SHA256
 * over (time, peer address, port, connection id), first 16 bytes; valid for {@link #LIFETIME_MS}. The key is
 * random per process: a restart invalidates outstanding tokens, which costs a retried peer one more round trip.
 * Not thread-safe: one server loop uses it.
 */
final class RetryTokens {
    static final int LENGTH = 8 + 16;
    static final long LIFETIME_MS = 10_000;
    private final Mac mac;

    RetryTokens(SecureRandom random) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    byte[] issue(InetSocketAddress peer, long cid, long nowMillis) {
        byte[] out = new byte[LENGTH];
        ByteBuffer.wrap(out).putLong(nowMillis).put(tag(peer, cid, nowMillis));
        return out;
    }

    boolean valid(byte[] token, InetSocketAddress peer, long cid, long nowMillis) {
        if (token == null || token.length != LENGTH) {
            return false;
        }
        long t = ByteBuffer.wrap(token).getLong();
        if (nowMillis - t > LIFETIME_MS || t - nowMillis > 1_000) {
            return false;
        }
        byte[] want = tag(peer, cid, t);
        return MessageDigest.isEqual(want, java.util.Arrays.copyOfRange(token, 8, LENGTH));
    }

    private byte[] tag(InetSocketAddress peer, long cid, long t) {
        byte[] addr = peer.getAddress().getAddress();
        ByteBuffer b = ByteBuffer.allocate(8 + addr.length + 2 + 8).putLong(t).put(addr).putShort((short) peer.getPort()).putLong(cid);
        return java.util.Arrays.copyOf(mac.doFinal(b.array()), 16);
    }
}
