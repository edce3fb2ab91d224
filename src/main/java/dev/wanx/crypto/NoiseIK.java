package dev.wanx.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * Noise_IK_25519_AESGCM_SHA256 (Noise spec rev 34): one round trip, the initiator knows the responder's static
 * key in advance, and the responder learns (and authenticates) the initiator's static key from message 1.
 * <pre>
 *   &lt;- s
 *   ...
 *   -&gt; e, es, s, ss     message 1: 32 e.pub | 48 enc(s.pub) | payload + 16 tag
 *   &lt;- e, ee, se       message 2: 32 e.pub | payload + 16 tag
 * </pre>
 * Each side is a one-shot state machine; calls out of order throw {@link IllegalStateException}. Neither is
 * thread-safe. Message 1's payload has forward secrecy only against a later compromise of the initiator's key,
 * and can be replayed: the carriers put a timestamp in it and check it with {@link HandshakeReplayGuard}.
 */
public final class NoiseIK {
    public static final String PROTOCOL_NAME = "Noise_IK_25519_AESGCM_SHA256";
    /** Noise's limit on any handshake or transport message. */
    public static final int MAX_MESSAGE = 65535;
    public static final int MESSAGE1_OVERHEAD = 32 + 48 + 16;
    public static final int MESSAGE2_OVERHEAD = 32 + 16;
    private static final int KEY = X25519KeyPair.KEY_SIZE;

    private NoiseIK() { }

    private static SymmetricState init(byte[] prologue, byte[] responderStatic) {
        SymmetricState ss = new SymmetricState(PROTOCOL_NAME);
        ss.mixHash(prologue == null ? new byte[0] : prologue);
        ss.mixHash(responderStatic); // pre-message "<- s"
        return ss;
    }

    private static void checkPayload(byte[] payload, int overhead) {
        Objects.requireNonNull(payload, "payload");
        if (payload.length + overhead > MAX_MESSAGE) {
            throw new IllegalArgumentException("handshake payload too large: " + payload.length + " bytes");
        }
    }

    /** DH that reports a low-order key as a handshake failure instead of an IllegalArgumentException. */
    private static byte[] dh(byte[] priv, byte[] pub) throws HandshakeException {
        try {
            return X25519KeyPair.dh(priv, pub);
        } catch (IllegalArgumentException e) {
            throw new HandshakeException("invalid public key (low-order point)");
        }
    }

    /** The side that knows the other's static key up front (the near end). */
    public static final class Initiator {
        private final X25519KeyPair s;
        private final byte[] rs;
        private final SecureRandom random;
        private SymmetricState ss;
        private final byte[] staticShared; // DH(s, rs), computed up front so a bad rs fails at construction
        private X25519KeyPair e;
        private int step; // 0: write msg1, 1: read msg2, 2: split, 3: done

        /** Throws IllegalArgumentException if {@code rs} is not a usable public key (wrong length, low-order). */
        public Initiator(X25519KeyPair s, byte[] rs, byte[] prologue, SecureRandom random) {
            this.s = Objects.requireNonNull(s, "s");
            if (rs == null || rs.length != KEY) throw new IllegalArgumentException("responder public key must be 32 bytes");
            this.rs = rs.clone();
            this.random = Objects.requireNonNull(random, "random");
            this.staticShared = X25519KeyPair.dh(s.privateKey(), this.rs); // IllegalArgumentException if low-order
            this.ss = init(prologue, this.rs);
        }

        /** Message 1: {@code -> e, es, s, ss} plus the encrypted payload. */
        public byte[] writeMessage1(byte[] payload) {
            expect(0);
            checkPayload(payload, MESSAGE1_OVERHEAD);
            e = X25519KeyPair.generate(random);
            ss.mixHash(e.publicKey());
            ss.mixKey(X25519KeyPair.dh(e.privateKey(), rs)); // cannot fail: rs was checked in the constructor
            byte[] encS = ss.encryptAndHash(s.publicKey());
            ss.mixKey(staticShared);
            SymmetricState.wipe(staticShared);
            byte[] encP = ss.encryptAndHash(payload);
            step = 1;
            return concat(e.publicKey(), encS, encP);
        }

        /**
         * Message 2: {@code <- e, ee, se}; returns the responder's payload. A message that fails leaves this
         * initiator unchanged, still waiting for message 2: over UDP anyone can send a forged one first, and it
         * must not spoil the handshake the genuine one completes.
         */
        public byte[] readMessage2(byte[] msg) throws HandshakeException {
            expect(1);
            if (msg == null || msg.length < MESSAGE2_OVERHEAD) throw new HandshakeException("message 2 too short");
            if (msg.length > MAX_MESSAGE) throw new HandshakeException("message 2 too long");
            SymmetricState trial = ss.copy();
            try {
                byte[] re = Arrays.copyOfRange(msg, 0, KEY);
                trial.mixHash(re);
                trial.mixKey(dh(e.privateKey(), re));
                trial.mixKey(dh(s.privateKey(), re));
                byte[] payload = trial.decryptAndHash(Arrays.copyOfRange(msg, KEY, msg.length));
                if (payload == null) throw new HandshakeException("message 2 failed authentication");
                SymmetricState old = ss;
                ss = trial;
                trial = old; // the pre-message-2 state is wiped below
                SymmetricState.wipe(e.privateKey());
                step = 2;
                return payload;
            } finally {
                trial.destroy();
            }
        }

        public SessionKeys split() {
            expect(2);
            step = 3;
            return ss.split();
        }

        private void expect(int want) {
            if (step != want) throw new IllegalStateException("Noise IK initiator: call out of order");
        }
    }

    /** The side whose static key the other knows (the far end). */
    public static final class Responder {
        private final X25519KeyPair s;
        private final SecureRandom random;
        private final SymmetricState ss;
        private byte[] re;
        private byte[] rs;
        private int step; // 0: read msg1, 1: write msg2, 2: split, 3: done

        public Responder(X25519KeyPair s, byte[] prologue, SecureRandom random) {
            this.s = Objects.requireNonNull(s, "s");
            this.random = Objects.requireNonNull(random, "random");
            this.ss = init(prologue, s.publicKey());
        }

        /** Message 1: {@code -> e, es, s, ss}; returns the initiator's payload. Any failure ends this handshake. */
        public byte[] readMessage1(byte[] msg) throws HandshakeException {
            expect(0);
            step = 3;
            if (msg == null || msg.length < MESSAGE1_OVERHEAD) throw new HandshakeException("message 1 too short");
            if (msg.length > MAX_MESSAGE) throw new HandshakeException("message 1 too long");
            re = Arrays.copyOfRange(msg, 0, KEY);
            ss.mixHash(re);
            ss.mixKey(dh(s.privateKey(), re));
            byte[] initiatorStatic = ss.decryptAndHash(Arrays.copyOfRange(msg, KEY, KEY + 48));
            if (initiatorStatic == null) throw new HandshakeException("message 1 failed authentication (wrong responder key?)");
            ss.mixKey(dh(s.privateKey(), initiatorStatic));
            byte[] payload = ss.decryptAndHash(Arrays.copyOfRange(msg, KEY + 48, msg.length));
            if (payload == null) throw new HandshakeException("message 1 payload failed authentication");
            rs = initiatorStatic;
            step = 1;
            return payload;
        }

        /** The initiator's static public key, authenticated by message 1. */
        public byte[] remoteStatic() {
            if (rs == null) throw new IllegalStateException("Noise IK responder: message 1 not read yet");
            return rs.clone();
        }

        /** Message 2: {@code <- e, ee, se} plus the encrypted payload. */
        public byte[] writeMessage2(byte[] payload) {
            expect(1);
            checkPayload(payload, MESSAGE2_OVERHEAD);
            X25519KeyPair e = X25519KeyPair.generate(random);
            ss.mixHash(e.publicKey());
            try {
                ss.mixKey(X25519KeyPair.dh(e.privateKey(), re));
                ss.mixKey(X25519KeyPair.dh(e.privateKey(), rs));
            } catch (IllegalArgumentException ex) {
                throw new IllegalStateException("unreachable: both keys were checked in message 1", ex);
            }
            byte[] encP = ss.encryptAndHash(payload);
            SymmetricState.wipe(e.privateKey());
            step = 2;
            return concat(e.publicKey(), encP);
        }

        public SessionKeys split() {
            expect(2);
            step = 3;
            return ss.split();
        }

        private void expect(int want) {
            if (step != want) throw new IllegalStateException("Noise IK responder: call out of order");
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }
}
