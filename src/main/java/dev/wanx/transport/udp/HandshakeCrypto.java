package dev.wanx.transport.udp;

import java.security.GeneralSecurityException;

/**
 * The 1-RTT authenticated key exchange the carrier needs (Noise IK shape: the initiator knows the
 * responder's static key). {@link InterimIk} implements it with the JDK until {@code dev.wanx.crypto.NoiseIK}
 * is merged; an adapter to that class is all that changes.
 */
public interface HandshakeCrypto {
    Initiator initiator(StaticKeyPair local, byte[] remoteStatic, byte[] prologue);

    Responder responder(StaticKeyPair local, byte[] prologue);

    interface Initiator {
        byte[] writeMessage1(byte[] payload);

        /** Returns message 2's payload; throws if it does not authenticate. */
        byte[] readMessage2(byte[] msg) throws GeneralSecurityException;

        Keys split();
    }

    interface Responder {
        /** Returns message 1's payload; throws if it does not authenticate. */
        byte[] readMessage1(byte[] msg) throws GeneralSecurityException;

        byte[] remoteStatic();

        /** An identifier of message 1 for the replay guard (the initiator's ephemeral key). */
        byte[] message1Id();

        byte[] writeMessage2(byte[] payload);

        Keys split();
    }

    record Keys(byte[] initiatorToResponder, byte[] responderToInitiator) { }
}
