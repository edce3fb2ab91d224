package dev.wanx.crypto;

import static dev.wanx.crypto.Hex.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NoiseIKTest {
    private static final SecureRandom RND = new SecureRandom();
    private static final byte[] PROLOGUE = "wanx test".getBytes(StandardCharsets.US_ASCII);

    /**
     * The Noise_IK_25519_AESGCM_SHA256 vector from cacophony's vectors/cacophony.txt (the Haskell reference
     * implementation's published test vectors, also used by snow and noise-c): handshake messages and the first
     * four transport messages, byte for byte.
     */
    @Test void cacophonyVector() throws Exception {
        byte[] prologue = b("4a6f686e2047616c74");
        X25519KeyPair initStatic = X25519KeyPair.fromPrivate(b("e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1"));
        byte[] initEphemeral = b("893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a");
        byte[] initRemoteStatic = b("31e0303fd6418d2f8c0e78b91f22e8caed0fbe48656dcf4767e4834f701b8f62");
        X25519KeyPair respStatic = X25519KeyPair.fromPrivate(b("4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893"));
        byte[] respEphemeral = b("bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b");
        assertArrayEquals(initRemoteStatic, respStatic.publicKey());

        NoiseIK.Initiator ini = new NoiseIK.Initiator(initStatic, initRemoteStatic, prologue, new FixedRandom(initEphemeral));
        NoiseIK.Responder res = new NoiseIK.Responder(respStatic, prologue, new FixedRandom(respEphemeral));

        byte[] p1 = b("4c756477696720766f6e204d69736573");
        byte[] m1 = ini.writeMessage1(p1);
        assertEquals("ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444e417bc55c7a8166c993356c1be41ef6"
                + "7818a292426f301556c7f26b21d25ddb097153891a9a956cff47b83e63ad8d701c1342c209cff1ca5ecd43402762ac249e3b"
                + "d3a4c0a145fe07cb5dae28ea13a3", Hex.s(m1));
        assertArrayEquals(p1, res.readMessage1(m1));
        assertArrayEquals(initStatic.publicKey(), res.remoteStatic());

        byte[] p2 = b("4d757272617920526f746862617264");
        byte[] m2 = res.writeMessage2(p2);
        assertEquals("95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843af2ccf9972e22afc67aeafcd25162f7f"
                + "98c363b7762e3e4cb7d272e39f27a5", Hex.s(m2));
        assertArrayEquals(p2, ini.readMessage2(m2));

        SessionKeys ik = ini.split();
        SessionKeys rk = res.split();
        assertArrayEquals(ik.initiatorToResponder(), rk.initiatorToResponder());
        assertArrayEquals(ik.responderToInitiator(), rk.responderToInitiator());
        assertArrayEquals(ik.handshakeHash(), rk.handshakeHash());

        // Transport messages: empty associated data, counters from 0 per direction.
        Aead iSend = new Aead(ik.sendKey(true));
        Aead rSend = new Aead(rk.sendKey(false));
        assertEquals("66acfc92e3197de166809e6d4d5d003dcc819a84bc3522ca53c9d9", seal(iSend, 0, "462e20412e20486179656b"));
        assertEquals("71f89aa6533a6de70b0826864dd75f60806ee40170c16290189eb3", seal(rSend, 0, "4361726c204d656e676572"));
        assertEquals("4795a3423550c8bf00386bd496a3e2c76c10669d2a75ab8f79b5094c5412a25705",
                seal(iSend, 1, "4a65616e2d426170746973746520536179"));
        assertEquals("aa0bb39097555c918e40be82abc2b909eb79d9eb87adb07e268fc37323a6cf904fd01fb391",
                seal(rSend, 1, "457567656e2042f6686d20766f6e2042617765726b"));
    }

    private static String seal(Aead aead, long counter, String plaintextHex) {
        ByteBuf pt = Unpooled.wrappedBuffer(b(plaintextHex));
        ByteBuf out = Unpooled.buffer();
        try {
            aead.seal(counter, null, pt, out);
            return Hex.s(io.netty.buffer.ByteBufUtil.getBytes(out));
        } finally {
            pt.release();
            out.release();
        }
    }

    @Test void roundTripDerivesMatchingKeysAndCarriesPayloads() throws Exception {
        X25519KeyPair near = X25519KeyPair.generate(RND);
        X25519KeyPair far = X25519KeyPair.generate(RND);
        NoiseIK.Initiator ini = new NoiseIK.Initiator(near, far.publicKey(), PROLOGUE, RND);
        NoiseIK.Responder res = new NoiseIK.Responder(far, PROLOGUE, RND);
        byte[] hello = "hello far".getBytes(StandardCharsets.UTF_8);
        byte[] m1 = ini.writeMessage1(hello);
        assertEquals(NoiseIK.MESSAGE1_OVERHEAD + hello.length, m1.length);
        assertArrayEquals(hello, res.readMessage1(m1));
        assertArrayEquals(near.publicKey(), res.remoteStatic());
        byte[] m2 = res.writeMessage2(new byte[0]);
        assertEquals(NoiseIK.MESSAGE2_OVERHEAD, m2.length);
        assertArrayEquals(new byte[0], ini.readMessage2(m2));
        SessionKeys a = ini.split();
        SessionKeys c = res.split();
        assertArrayEquals(a.sendKey(true), c.recvKey(false));
        assertArrayEquals(a.recvKey(true), c.sendKey(false));
        assertFalse(Arrays.equals(a.initiatorToResponder(), a.responderToInitiator()));
        assertArrayEquals(a.handshakeHash(), c.handshakeHash());
    }

    @Test void everyTamperedByteOfMessage1IsRejected() throws Exception {
        X25519KeyPair near = X25519KeyPair.generate(RND);
        X25519KeyPair far = X25519KeyPair.generate(RND);
        byte[] m1 = new NoiseIK.Initiator(near, far.publicKey(), PROLOGUE, RND).writeMessage1(new byte[] {1, 2, 3});
        for (int i = 0; i < m1.length; i++) {
            byte[] bad = m1.clone();
            bad[i] ^= 0x01;
            NoiseIK.Responder res = new NoiseIK.Responder(far, PROLOGUE, RND);
            assertThrows(HandshakeException.class, () -> res.readMessage1(bad), "byte " + i);
        }
        NoiseIK.Responder res = new NoiseIK.Responder(far, PROLOGUE, RND);
        assertThrows(HandshakeException.class, () -> res.readMessage1(Arrays.copyOf(m1, m1.length - 1)));
        assertThrows(HandshakeException.class, () -> new NoiseIK.Responder(far, PROLOGUE, RND).readMessage1(new byte[10]));
        assertThrows(HandshakeException.class, () -> new NoiseIK.Responder(far, PROLOGUE, RND).readMessage1(null));
    }

    @Test void everyTamperedByteOfMessage2IsRejected() throws Exception {
        X25519KeyPair near = X25519KeyPair.generate(RND);
        X25519KeyPair far = X25519KeyPair.generate(RND);
        for (int i = 0; i < NoiseIK.MESSAGE2_OVERHEAD + 4; i++) {
            NoiseIK.Initiator ini = new NoiseIK.Initiator(near, far.publicKey(), PROLOGUE, RND);
            NoiseIK.Responder res = new NoiseIK.Responder(far, PROLOGUE, RND);
            res.readMessage1(ini.writeMessage1(new byte[0]));
            byte[] m2 = res.writeMessage2(new byte[] {9, 8, 7, 6});
            m2[i] ^= (byte) 0x80;
            assertThrows(HandshakeException.class, () -> ini.readMessage2(m2), "byte " + i);
            assertThrows(IllegalStateException.class, ini::split, "no keys from a failed message");
        }
    }

    @Test void forgedMessage2DoesNotSpoilTheGenuineOne() throws Exception {
        X25519KeyPair near = X25519KeyPair.generate(RND);
        X25519KeyPair far = X25519KeyPair.generate(RND);
        NoiseIK.Initiator ini = new NoiseIK.Initiator(near, far.publicKey(), PROLOGUE, RND);
        NoiseIK.Responder res = new NoiseIK.Responder(far, PROLOGUE, RND);
        res.readMessage1(ini.writeMessage1(new byte[0]));
        byte[] m2 = res.writeMessage2(new byte[] {42});
        byte[] forged = m2.clone();
        forged[forged.length - 1] ^= 1;
        assertThrows(HandshakeException.class, () -> ini.readMessage2(forged));
        assertThrows(HandshakeException.class, () -> ini.readMessage2(new byte[3]));
        byte[] random = new byte[m2.length];
        RND.nextBytes(random);
        assertThrows(HandshakeException.class, () -> ini.readMessage2(random));
        assertArrayEquals(new byte[] {42}, ini.readMessage2(m2));
        SessionKeys a = ini.split();
        SessionKeys c = res.split();
        assertArrayEquals(a.initiatorToResponder(), c.initiatorToResponder());
        assertArrayEquals(a.handshakeHash(), c.handshakeHash());
    }

    @Test void wrongResponderKeyFails() throws Exception {
        X25519KeyPair near = X25519KeyPair.generate(RND);
        X25519KeyPair far = X25519KeyPair.generate(RND);
        X25519KeyPair other = X25519KeyPair.generate(RND);
        byte[] m1 = new NoiseIK.Initiator(near, other.publicKey(), PROLOGUE, RND).writeMessage1(new byte[0]);
        HandshakeException e = assertThrows(HandshakeException.class, () -> new NoiseIK.Responder(far, PROLOGUE, RND).readMessage1(m1));
        assertTrue(e.getMessage().contains("authentication"));
    }

    @Test void prologueMismatchFails() throws Exception {
        X25519KeyPair near = X25519KeyPair.generate(RND);
        X25519KeyPair far = X25519KeyPair.generate(RND);
        byte[] m1 = new NoiseIK.Initiator(near, far.publicKey(), PROLOGUE, RND).writeMessage1(new byte[0]);
        assertThrows(HandshakeException.class, () -> new NoiseIK.Responder(far, "other".getBytes(StandardCharsets.US_ASCII), RND).readMessage1(m1));
    }

    @Test void lowOrderEphemeralIsAHandshakeFailure() throws Exception {
        X25519KeyPair far = X25519KeyPair.generate(RND);
        byte[] m1 = new byte[NoiseIK.MESSAGE1_OVERHEAD]; // e = all zeros
        assertThrows(HandshakeException.class, () -> new NoiseIK.Responder(far, PROLOGUE, RND).readMessage1(m1));
        assertThrows(IllegalArgumentException.class, () -> new NoiseIK.Initiator(far, new byte[32], PROLOGUE, RND));
    }

    @Test void callsOutOfOrderAreRefused() throws Exception {
        X25519KeyPair near = X25519KeyPair.generate(RND);
        X25519KeyPair far = X25519KeyPair.generate(RND);
        NoiseIK.Initiator ini = new NoiseIK.Initiator(near, far.publicKey(), PROLOGUE, RND);
        assertThrows(IllegalStateException.class, () -> ini.readMessage2(new byte[64]));
        assertThrows(IllegalStateException.class, ini::split);
        byte[] m1 = ini.writeMessage1(new byte[0]);
        assertThrows(IllegalStateException.class, () -> ini.writeMessage1(new byte[0]));
        NoiseIK.Responder res = new NoiseIK.Responder(far, PROLOGUE, RND);
        assertThrows(IllegalStateException.class, res::remoteStatic);
        assertThrows(IllegalStateException.class, () -> res.writeMessage2(new byte[0]));
        res.readMessage1(m1);
        assertThrows(IllegalStateException.class, () -> res.readMessage1(m1));
        assertThrows(IllegalStateException.class, res::split);
    }

    @Test void oversizedPayloadRefused() {
        X25519KeyPair near = X25519KeyPair.generate(RND);
        X25519KeyPair far = X25519KeyPair.generate(RND);
        NoiseIK.Initiator ini = new NoiseIK.Initiator(near, far.publicKey(), PROLOGUE, RND);
        assertThrows(IllegalArgumentException.class, () -> ini.writeMessage1(new byte[NoiseIK.MAX_MESSAGE]));
    }
}
