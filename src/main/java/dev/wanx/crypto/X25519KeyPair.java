package dev.wanx.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * A Curve25519 key pair (RFC 7748), 32-byte little-endian keys as on the wire. The private key is stored
 * clamped, as WireGuard does, so a key file round-trips byte for byte.
 */
public record X25519KeyPair(byte[] privateKey, byte[] publicKey) {
    public static final int KEY_SIZE = 32;

    public X25519KeyPair {
        if (privateKey == null || privateKey.length != KEY_SIZE) throw new IllegalArgumentException("private key must be 32 bytes");
        if (publicKey == null || publicKey.length != KEY_SIZE) throw new IllegalArgumentException("public key must be 32 bytes");
    }

    public static X25519KeyPair generate(SecureRandom random) {
        byte[] priv = new byte[KEY_SIZE];
        random.nextBytes(priv);
        return fromPrivate(priv);
    }

    /** Derives the public key; the given array is not modified or retained. */
    public static X25519KeyPair fromPrivate(byte[] privateKey) {
        if (privateKey == null || privateKey.length != KEY_SIZE) throw new IllegalArgumentException("private key must be 32 bytes");
        byte[] priv = clamp(privateKey.clone());
        byte[] pub = new byte[KEY_SIZE];
        X25519.scalarMultBase(priv, 0, pub, 0);
        return new X25519KeyPair(priv, pub);
    }

    /**
     * Diffie-Hellman: the shared secret of {@code priv} and {@code pub}. Throws {@link IllegalArgumentException} when
     * the result is all zeros, i.e. {@code pub} is a low-order point; accepting it would let a peer force a known
     * secret (Noise spec section 12.1 allows either behaviour; rejecting is the safer one).
     */
    public static byte[] dh(byte[] priv, byte[] pub) {
        if (priv == null || priv.length != KEY_SIZE || pub == null || pub.length != KEY_SIZE) {
            throw new IllegalArgumentException("X25519 keys must be 32 bytes");
        }
        byte[] out = new byte[KEY_SIZE];
        if (!X25519.calculateAgreement(priv, 0, pub, 0, out, 0)) {
            throw new IllegalArgumentException("X25519 result is all zeros (low-order public key)");
        }
        return out;
    }

    private static byte[] clamp(byte[] k) {
        k[0] &= (byte) 0xF8;
        k[31] &= (byte) 0x7F;
        k[31] |= (byte) 0x40;
        return k;
    }

    /** Never prints the private key (records print components by default). */
    @Override public String toString() {
        return "X25519KeyPair[public=" + java.util.Base64.getEncoder().encodeToString(publicKey) + "]";
    }

    @Override public boolean equals(Object o) {
        return o instanceof X25519KeyPair k && java.security.MessageDigest.isEqual(privateKey, k.privateKey) && Arrays.equals(publicKey, k.publicKey);
    }

    @Override public int hashCode() { return Arrays.hashCode(publicKey); }
}
