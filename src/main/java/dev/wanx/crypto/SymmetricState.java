package dev.wanx.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Noise's SymmetricState with its embedded CipherState (spec rev 34, sections 5.1-5.2) for SHA-256 and AESGCM.
 * Handshake-only: a fresh Cipher per operation keeps it simple; bulk data uses {@link Aead}.
 */
final class SymmetricState {
    static final int HASHLEN = 32;
    static final int TAGLEN = 16;

    private byte[] ck;
    private byte[] h;
    private byte[] k; // null until the first MixKey
    private long n;

    SymmetricState(String protocolName) {
        byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
        h = name.length <= HASHLEN ? Arrays.copyOf(name, HASHLEN) : sha256(name);
        ck = h.clone();
    }

    private SymmetricState(SymmetricState o) {
        ck = o.ck.clone();
        h = o.h.clone();
        k = o.k == null ? null : o.k.clone();
        n = o.n;
    }

    /** An independent copy, to try a message without spoiling this state if the message is forged. */
    SymmetricState copy() { return new SymmetricState(this); }

    /** Wipes the secrets of a state that is being thrown away. */
    void destroy() {
        wipe(ck);
        if (k != null) wipe(k);
    }

    void mixHash(byte[] data) {
        MessageDigest md = digest();
        md.update(h);
        md.update(data);
        h = md.digest();
    }

    void mixKey(byte[] ikm) {
        byte[][] out = hkdf(ck, ikm);
        wipe(ck);
        ck = out[0];
        if (k != null) wipe(k);
        k = out[1]; // HASHLEN is 32 = the AES-256 key size: no truncation
        n = 0;
    }

    byte[] encryptAndHash(byte[] plaintext) {
        byte[] ct;
        if (k == null) {
            ct = plaintext.clone();
        } else {
            ct = gcm(Cipher.ENCRYPT_MODE, k, n, h, plaintext);
            n++;
        }
        mixHash(ct);
        return ct;
    }

    /** Returns null if authentication fails. */
    byte[] decryptAndHash(byte[] ciphertext) {
        byte[] pt;
        if (k == null) {
            pt = ciphertext.clone();
        } else {
            if (ciphertext.length < TAGLEN) return null;
            pt = gcm(Cipher.DECRYPT_MODE, k, n, h, ciphertext);
            if (pt == null) return null;
            n++;
        }
        mixHash(ciphertext);
        return pt;
    }

    boolean hasKey() { return k != null; }

    /** Split(): the two transport keys, then wipes the chaining key and handshake key. */
    SessionKeys split() {
        byte[][] out = hkdf(ck, new byte[0]);
        SessionKeys keys = new SessionKeys(out[0], out[1], h.clone());
        wipe(ck);
        if (k != null) wipe(k);
        return keys;
    }

    byte[] handshakeHash() { return h.clone(); }

    /** HKDF from the Noise spec (section 4.3) with two outputs. */
    static byte[][] hkdf(byte[] chainingKey, byte[] ikm) {
        byte[] temp = hmac(chainingKey, ikm);
        byte[] o1 = hmac(temp, new byte[] {1});
        byte[] in2 = Arrays.copyOf(o1, HASHLEN + 1);
        in2[HASHLEN] = 2;
        byte[] o2 = hmac(temp, in2);
        wipe(temp);
        wipe(in2);
        return new byte[][] {o1, o2};
    }

    static byte[] nonce(long counter) {
        byte[] iv = new byte[12];
        for (int i = 0; i < 8; i++) iv[4 + i] = (byte) (counter >>> (56 - 8 * i));
        return iv;
    }

    private static byte[] gcm(int mode, byte[] key, long counter, byte[] ad, byte[] in) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAGLEN * 8, nonce(counter)));
            c.updateAAD(ad);
            return c.doFinal(in);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static byte[] sha256(byte[] data) {
        return digest().digest(data);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    static void wipe(byte[] b) {
        if (b != null) Arrays.fill(b, (byte) 0);
    }
}
