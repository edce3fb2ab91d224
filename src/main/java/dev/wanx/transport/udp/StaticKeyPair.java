package dev.wanx.transport.udp;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.GeneralSecurityException;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;

/**
 * A raw X25519 key pair (32-byte private scalar, 32-byte public u). Stands in for
 * {@code dev.wanx.crypto.X25519KeyPair} until the crypto branch is merged; same shape.
 */
public record StaticKeyPair(byte[] privateKey, byte[] publicKey) {
    public static StaticKeyPair generate() {
        try {
            KeyPair kp = KeyPairGenerator.getInstance("X25519").generateKeyPair();
            byte[] priv = ((XECPrivateKey) kp.getPrivate()).getScalar().orElseThrow();
            return new StaticKeyPair(priv, uToBytes(((XECPublicKey) kp.getPublic()).getU()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 unavailable", e);
        }
    }

    static byte[] uToBytes(BigInteger u) {
        byte[] be = u.toByteArray();
        byte[] le = new byte[32];
        for (int i = 0; i < 32 && i < be.length; i++) {
            le[i] = be[be.length - 1 - i];
        }
        return le;
    }
}
