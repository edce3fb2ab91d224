package dev.wanx.crypto;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.security.SecureRandom;

/**
 * Runs the handshake and record path on throwaway keys, so a server's first real handshake does not pay for class
 * loading and interpretation: measured in the lab, a far's first answer took about a second on a fresh JVM, which a
 * near probing the fleet reads as a far a second away. In memory only; nothing is sent or kept.
 */
public final class HandshakeWarmup {
    private HandshakeWarmup() { }

    /** Runs {@code rounds} full handshakes plus a seal/open of a packet-sized record each; returns the milliseconds taken. */
    public static long run(int rounds) {
        long t0 = System.nanoTime();
        SecureRandom random = new SecureRandom();
        X25519KeyPair a = X25519KeyPair.generate(random);
        X25519KeyPair b = X25519KeyPair.generate(random);
        byte[] prologue = "wanx warm-up".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuf plain = Unpooled.buffer(1200).writeZero(1200);
        ByteBuf sealed = Unpooled.buffer(1300);
        ByteBuf opened = Unpooled.buffer(1300);
        ByteBuf aad = Unpooled.buffer(17).writeZero(17);
        try {
            for (int i = 0; i < rounds; i++) {
                NoiseIK.Initiator ini = new NoiseIK.Initiator(a, b.publicKey(), prologue, random);
                NoiseIK.Responder res = new NoiseIK.Responder(b, prologue, random);
                res.readMessage1(ini.writeMessage1(new byte[11]));
                ini.readMessage2(res.writeMessage2(new byte[11]));
                SessionKeys k = ini.split();
                res.split();
                sealed.clear();
                opened.clear();
                new Aead(k.sendKey(true)).seal(i, aad, plain.duplicate(), sealed);
                if (!new Aead(k.recvKey(false)).open(i, aad, sealed, opened)) throw new IllegalStateException("warm-up record did not open");
            }
        } catch (HandshakeException e) {
            throw new IllegalStateException("warm-up handshake failed: " + e.getMessage(), e);
        } finally {
            plain.release();
            sealed.release();
            opened.release();
            aad.release();
        }
        return (System.nanoTime() - t0) / 1_000_000L;
    }
}
