package dev.wanx.crypto;

/**
 * What a finished handshake yields: one AES-256 key per direction and the handshake hash (for channel binding,
 * e.g. a session id both ends agree on).
 */
public record SessionKeys(byte[] initiatorToResponder, byte[] responderToInitiator, byte[] handshakeHash) {
    /** The key this end encrypts with. */
    public byte[] sendKey(boolean initiator) {
        return initiator ? initiatorToResponder : responderToInitiator;
    }

    /** The key this end decrypts with. */
    public byte[] recvKey(boolean initiator) {
        return initiator ? responderToInitiator : initiatorToResponder;
    }

    /** Never prints keys. */
    @Override public String toString() { return "SessionKeys[...]"; }
}
