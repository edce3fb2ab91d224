package dev.wanx.transport;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * An authenticated, encrypted session between a near and a far, multiplexing streams over one carrier
 * (UDP or TCP). Everything above this interface is carrier-independent.
 */
public interface TunnelSession {
    /**
     * Opens a stream to {@code dest}. {@code firstData} (may be null; ownership passes) rides with the open so a
     * request costs no extra round trip. Completes when the far has connected the destination, or exceptionally
     * with a {@link DialException}.
     */
    CompletableFuture<TunnelStream> openStream(StreamOpen dest, ByteBuf firstData);

    /**
     * Opens a stream and returns it at once, before the far answers: bytes written now are sent right away
     * (no round trip lost) and the far holds them until the destination is connected. {@link TunnelStream#opened()}
     * completes on the far's answer. {@code flags} are {@link StreamFlags}.
     */
    TunnelStream openNow(StreamOpen dest, int flags);

    /** Far side: receives streams the peer opens. */
    void setAcceptor(Consumer<IncomingStream> acceptor);

    boolean isActive();

    /** Completes when the session is closed, with the cause (null for a clean close). */
    CompletableFuture<Throwable> closeFuture();

    /** Closes all streams and the carrier. */
    void close(String reason);

    /** The authenticated peer's name (far: the authorized key's name; near: the far's address). */
    String peerName();

    /** Carrier in use: "udp" or "tcp". */
    String carrier();

    SessionStats stats();

    /** The carrier's detailed counters by name (loss classes, FEC, retransmits), for status; empty when it has none. */
    default java.util.Map<String, Long> carrierCounters() { return java.util.Map.of(); }
}
