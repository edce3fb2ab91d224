package dev.wanx.crypto;

/**
 * A handshake message that must be dropped: malformed, not authentic, or for another key. Responders stay silent
 * on it (answering would tell a scanner that something listens), so the message is for logs only.
 */
public final class HandshakeException extends Exception {
    private static final long serialVersionUID = 1L;

    public HandshakeException(String message) {
        super(message, null, false, false); // no stack trace: this is an expected, possibly frequent, event
    }
}
