package dev.wanx.transport.udp;

import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;

/**
 * Noise IK pattern (-> e, es, s, ss; <- e, ee, se) with X25519, AES-256-GCM and SHA-256 from the JDK.
 * Interim: it follows the Noise message flow and key schedule but is not tested against Noise vectors;
 * it will be replaced by the crypto branch's NoiseIK. Keeps the carrier honest meanwhile: peers are
 * authenticated, keys are forward secret, message 1 is bound to the responder's static key.
 */
public final class InterimIk implements HandshakeCrypto {
    private static final byte[] NAME = "Noise_IK_25519_AESGCM_SHA256".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @Override
    public Initiator initiator(StaticKeyPair local, byte[] remoteStatic, byte[] prologue) {
        return new Ini(local, remoteStatic, prologue);
    }

    @Override
    public Responder responder(StaticKeyPair local, byte[] prologue) {
        return new Resp(local, prologue);
    }

    /** Symmetric state of Noise: chaining key, handshake hash, current key. */
    private static class Sym {
        byte[] ck;
        byte[] h;
        byte[] k;

        Sym(byte[] prologue) {
            h = NAME.length <= 32 ? Arrays.copyOf(NAME, 32) : sha(NAME);
            ck = h.clone();
            mixHash(prologue);
        }

        void mixHash(byte[] d) { h = sha(h, d); }

        void mixKey(byte[] ikm) {
            byte[][] o = hkdf(ck, ikm);
            ck = o[0];
            k = o[1];
        }

        byte[] encrypt(byte[] pt) {
            byte[] c = aead(Cipher.ENCRYPT_MODE, k, h, pt);
            mixHash(c);
            return c;
        }

        byte[] decrypt(byte[] ct) throws GeneralSecurityException {
            byte[] p = aeadChecked(Cipher.DECRYPT_MODE, k, h, ct);
            mixHash(ct);
            return p;
        }

        public Keys split() {
            byte[][] o = hkdf(ck, new byte[0]);
            return new Keys(o[0], o[1]);
        }
    }

    private static final class Ini extends Sym implements Initiator {
        private final StaticKeyPair s;
        private final byte[] rs;
        private StaticKeyPair e;

        Ini(StaticKeyPair s, byte[] rs, byte[] prologue) {
            super(prologue);
            this.s = s;
            this.rs = rs.clone();
            mixHash(rs);
        }

        @Override
        public byte[] writeMessage1(byte[] payload) {
            e = StaticKeyPair.generate();
            mixHash(e.publicKey());
            mixKey(dh(e, rs));
            byte[] encS = encrypt(s.publicKey());
            mixKey(dh(s, rs));
            byte[] encP = encrypt(payload);
            return concat(e.publicKey(), encS, encP);
        }

        @Override
        public byte[] readMessage2(byte[] msg) throws GeneralSecurityException {
            if (msg.length < 32 + 16) {
                throw new GeneralSecurityException("message 2 too short");
            }
            byte[] re = Arrays.copyOf(msg, 32);
            mixHash(re);
            mixKey(dh(e, re));
            mixKey(dh(s, re));
            return decrypt(Arrays.copyOfRange(msg, 32, msg.length));
        }
    }

    private static final class Resp extends Sym implements Responder {
        private final StaticKeyPair s;
        private byte[] re;
        private byte[] rs;

        Resp(StaticKeyPair s, byte[] prologue) {
            super(prologue);
            this.s = s;
            mixHash(s.publicKey());
        }

        @Override
        public byte[] readMessage1(byte[] msg) throws GeneralSecurityException {
            if (msg.length < 32 + 48 + 16) {
                throw new GeneralSecurityException("message 1 too short");
            }
            re = Arrays.copyOf(msg, 32);
            mixHash(re);
            mixKey(dh(s, re));
            rs = decrypt(Arrays.copyOfRange(msg, 32, 80));
            mixKey(dh(s, rs));
            return decrypt(Arrays.copyOfRange(msg, 80, msg.length));
        }

        @Override
        public byte[] remoteStatic() { return rs.clone(); }

        @Override
        public byte[] message1Id() { return re.clone(); }

        @Override
        public byte[] writeMessage2(byte[] payload) {
            StaticKeyPair e = StaticKeyPair.generate();
            mixHash(e.publicKey());
            mixKey(dh(e, re));
            mixKey(dh(e, rs));
            return concat(e.publicKey(), encrypt(payload));
        }
    }

    static byte[] dh(StaticKeyPair local, byte[] remotePub) {
        try {
            KeyFactory kf = KeyFactory.getInstance("XDH");
            PrivateKey priv = kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, local.privateKey()));
            byte[] le = remotePub.clone();
            le[31] &= 0x7f;
            byte[] be = new byte[33];
            for (int i = 0; i < 32; i++) {
                be[32 - i] = le[i];
            }
            PublicKey pub = kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(be)));
            KeyAgreement ka = KeyAgreement.getInstance("XDH");
            ka.init(priv);
            ka.doPhase(pub, true);
            return ka.generateSecret();
        } catch (GeneralSecurityException ex) {
            throw new IllegalArgumentException("X25519 failed", ex);
        }
    }

    private static byte[] sha(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                md.update(p);
            }
            return md.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, byte[]... parts) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] p : parts) {
                m.update(p);
            }
            return m.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[][] hkdf(byte[] ck, byte[] ikm) {
        byte[] temp = hmac(ck, ikm);
        byte[] o1 = hmac(temp, new byte[] {1});
        byte[] o2 = hmac(temp, o1, new byte[] {2});
        return new byte[][] {o1, o2};
    }

    private static byte[] aead(int mode, byte[] k, byte[] ad, byte[] in) {
        try {
            return aeadChecked(mode, k, ad, in);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] aeadChecked(int mode, byte[] k, byte[] ad, byte[] in) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, new SecretKeySpec(k, "AES"), new GCMParameterSpec(128, new byte[12])); // each k is used once
        c.updateAAD(ad);
        return c.doFinal(in);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }
}
