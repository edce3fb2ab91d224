package dev.wanx.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

/**
 * What a carrier gives the session layer: an authenticated, encrypted, reliable delivery of frames.
 * Each frame sent is delivered to the peer exactly once; frames may arrive in any order (the UDP carrier
 * does not wait for a lost frame before delivering later ones; the session layer reorders per stream).
 * Single-threaded: every method is called on, and every handler callback runs on, {@link #eventLoop()}.
 */
public interface FrameLink {
    /** Largest frame {@link #send} accepts (UDP: what fits a packet; TCP: a larger record). */
    int maxFrameSize();

    /** False while the carrier's send queue is full (congestion window/pacing); the session stops sending then. */
    boolean isWritable();

    /** Sends one frame reliably; takes ownership. May be called while not writable (a bounded overshoot). */
    void send(ByteBuf frame);

    /** Flushes frames sent so far (the carrier may batch until then). */
    void flush();

    void setHandler(Handler handler);

    EventLoop eventLoop();

    /** Closes the carrier; the handler's onClosed follows. */
    void close(String reason);

    /**
     * {@link System#nanoTime()} when anything authenticated last arrived from the peer, carrier-level acks
     * included, or {@link Long#MIN_VALUE} if the carrier does not know. Lets the session tell a silent peer
     * from one whose answers are only queued behind data.
     */
    default long lastHeardNs() { return Long.MIN_VALUE; }

    /**
     * What the far put in its handshake reply after the carrier's own fields (on the near end; empty on the far
     * end or from a far that sends nothing): opaque here, decoded by {@code discovery.Announcement}.
     */
    default byte[] farAnnouncement() { return new byte[0]; }

    /**
     * Whether the carrier may send forward-error-correction parity (the near-side policy's {@code fec}: auto or off).
     * Carriers without FEC ignore it. On the loop.
     */
    default void setFecAllowed(boolean allowed) { }

    /** Detailed counters by name (loss classes, FEC, retransmits), for status; empty when the carrier has none. */
    default java.util.Map<String, Long> carrierCounters() { return java.util.Map.of(); }

    /**
     * How to cut one of the session's frames in two when the carrier's packets shrank under frames already queued
     * (UDP after a path change). Carriers with a fixed frame size ignore it. On the loop.
     */
    default void setFrameSplitter(FrameSplitter splitter) { }

    /** Cuts a frame (not consumed) into parts, the first at most {@code maxLen} bytes; null if it cannot be cut. */
    @FunctionalInterface
    interface FrameSplitter {
        ByteBuf[] split(ByteBuf frame, int maxLen);
    }

    /** Carrier name for stats/logs: "udp" or "tcp". */
    String name();

    /** The authenticated peer's name. */
    String peerName();

    /** Counters of the carrier (wire bytes, rtt, loss, rate). */
    SessionStats carrierStats();

    interface Handler {
        /** One frame arrived; the handler owns it. */
        void onFrame(ByteBuf frame);

        void onWritabilityChanged(boolean writable);

        /** The carrier is gone (peer closed, timeout, error). */
        void onClosed(Throwable cause);
    }
}
