package dev.wanx.crypto;

import static dev.wanx.crypto.Hex.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class X25519KeyPairTest {
    // RFC 7748 section 6.1
    private static final byte[] ALICE_PRIV = b("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    private static final byte[] ALICE_PUB = b("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    private static final byte[] BOB_PRIV = b("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    private static final byte[] BOB_PUB = b("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    private static final byte[] SHARED = b("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

    @Test void rfc7748Vector() {
        X25519KeyPair alice = X25519KeyPair.fromPrivate(ALICE_PRIV);
        X25519KeyPair bob = X25519KeyPair.fromPrivate(BOB_PRIV);
        assertArrayEquals(ALICE_PUB, alice.publicKey());
        assertArrayEquals(BOB_PUB, bob.publicKey());
        assertArrayEquals(SHARED, X25519KeyPair.dh(alice.privateKey(), BOB_PUB));
        assertArrayEquals(SHARED, X25519KeyPair.dh(bob.privateKey(), ALICE_PUB));
    }

    @Test void generatedPairsAgree() {
        SecureRandom rnd = new SecureRandom();
        X25519KeyPair a = X25519KeyPair.generate(rnd);
        X25519KeyPair c = X25519KeyPair.generate(rnd);
        assertArrayEquals(X25519KeyPair.dh(a.privateKey(), c.publicKey()), X25519KeyPair.dh(c.privateKey(), a.publicKey()));
        assertEquals(a, X25519KeyPair.fromPrivate(a.privateKey()));
    }

    @Test void privateKeyIsStoredClamped() {
        byte[] raw = new byte[32];
        Arrays.fill(raw, (byte) 0xFF);
        X25519KeyPair k = X25519KeyPair.fromPrivate(raw);
        assertEquals(0xF8, k.privateKey()[0] & 0xFF);
        assertEquals(0x7F, k.privateKey()[31] & 0xFF);
        assertEquals((byte) 0xFF, raw[0], "input not modified");
    }

    @Test void lowOrderPointsRejected() {
        byte[] priv = X25519KeyPair.generate(new SecureRandom()).privateKey();
        byte[] zero = new byte[32];
        byte[] one = new byte[32];
        one[0] = 1;
        // A point of order 8 (from the list of small-order points, e.g. in libsodium's blacklist).
        byte[] order8 = b("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
        for (byte[] pub : new byte[][] {zero, one, order8}) {
            assertThrows(IllegalArgumentException.class, () -> X25519KeyPair.dh(priv, pub));
        }
    }

    @Test void badLengths() {
        assertThrows(IllegalArgumentException.class, () -> X25519KeyPair.fromPrivate(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> X25519KeyPair.dh(new byte[32], new byte[33]));
    }

    @Test void toStringHidesPrivateKey() {
        X25519KeyPair k = X25519KeyPair.fromPrivate(ALICE_PRIV);
        String s = k.toString();
        assertFalse(s.contains(Base64.getEncoder().encodeToString(k.privateKey())));
        assertFalse(s.contains(Hex.s(k.privateKey())));
    }
}
