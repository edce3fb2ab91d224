package dev.wanx.transport;

/** A stream the peer opened (far side): dial its destination, then accept or reject it. */
public interface IncomingStream {
    StreamOpen open();

    /** {@link StreamFlags} the opener set. */
    int flags();

    /** Identity (authorized key name) of the peer that opened it, for logs and egress policy. */
    String peerName();

    /**
     * The event loop this stream lives on, or null if it has none to offer. A destination dialed on it (when the dialer
     * can) shares the stream's thread: the connect, the accept and the first bytes then need no hop between loops.
     */
    default io.netty.channel.EventLoop loop() { return null; }

    /** Tells the opener the destination is connected; data (including the open's first bytes) flows after this. */
    TunnelStream accept();

    /** Tells the opener why the destination cannot be reached; releases the stream. */
    void reject(DialError error, String reason);

    /** Helper for async dialers. */
    default void rejectWith(Throwable t) {
        if (t instanceof DialException d) reject(d.error(), d.getMessage());
        else reject(DialError.GENERAL, String.valueOf(t.getMessage()));
    }
}
