package dev.wanx.transport.session;

/**
 * Session-wide flow control (SESSION_MAX and BOUND, docs/PROTOCOL.md "Session credit"), both ways: the stream bytes
 * of all streams together that one end may have sent to the other. It bounds a receiver's memory by one number, so
 * stream windows need not: a session may hold thousands of streams, each with its initial window, where the sum of
 * those windows alone used to refuse streams past ~128. Numbers only; {@link SessionCredit} sends the frames.
 * Loop only, but for the getters the status report reads from other threads (hence volatile: a fenced store per
 * frame, as MuxSession's byte counters already pay).
 *
 * <p>A sender is held to the peer's SESSION_MAX only from the moment it says so (BOUND, carrying what it had sent by
 * then): an end that reads neither frame never hears of it, and the receiver knows exactly from when its bound holds.
 */
final class SessionLimit {
    /** Unconsumed stream bytes the peer may have sent beyond what this end released. */
    private final long window;
    // Receive side: what the peer sends this end.
    private volatile long received;
    private volatile long released;
    private volatile long granted;            // the max in our last SESSION_MAX (0: none sent)
    private volatile long peerBoundAt = -1;   // the peer's BOUND: what it had sent when it bound itself (-1: not bound)
    // Send side: what this end sends the peer.
    private volatile long sent;
    private volatile long peerMax;            // the largest SESSION_MAX received
    private volatile long boundAt = -1;       // what this end had sent when it sent BOUND (-1: not bound)

    SessionLimit(long window) {
        if (window <= 0) throw new IllegalArgumentException("window must be positive");
        this.window = window;
    }

    // ---------------- receive side ----------------

    /** The first SESSION_MAX this end sends (with FEATURES): a whole window. */
    long start() {
        granted = released + window;
        return granted;
    }

    /** Stream bytes arrived. False when the peer, bound, went past what this end allowed (a violation). */
    boolean onReceived(long n) {
        received += n;
        return peerBoundAt < 0 || received <= Math.max(granted, peerBoundAt);
    }

    /** Stream bytes left this end's buffers: handed to an app, or dropped with their stream. */
    void onReleased(long n) { released += n; }

    /** The peer's BOUND: from now on its total stays within max(our SESSION_MAX, what it had sent then). */
    void onPeerBound(long sentThen) {
        if (peerBoundAt < 0) peerBoundAt = sentThen;
    }

    boolean peerBound() { return peerBoundAt >= 0; }

    /** A new SESSION_MAX to send once an eighth of the window was released since the last, or -1. */
    long nextGrant() {
        if (peerBoundAt < 0 || granted == 0) return -1;
        long max = released + window;
        if (max - granted < window / 8) return -1;
        granted = max;
        return max;
    }

    /** Bytes received and not released (the memory this end holds for the peer). */
    long held() { return received - released; }

    /** What the peer may still send before our next SESSION_MAX, or -1 if it is not bound by ours. */
    long peerRoom() {
        long bound = peerBoundAt;
        return bound < 0 ? -1 : Math.max(0, Math.max(granted, bound) - received);
    }

    // ---------------- send side ----------------

    /** The peer's SESSION_MAX (cumulative, so a reordered older one changes nothing). True if this end may send more. */
    boolean onPeerMax(long max) {
        if (max <= peerMax) return false;
        long before = room();
        peerMax = max;
        return room() > before;
    }

    /** This end binds itself to the peer's SESSION_MAX now; returns what it has sent so far, for the BOUND frame. */
    long bind() {
        if (boundAt < 0) boundAt = sent;
        return boundAt;
    }

    boolean bound() { return boundAt >= 0; }

    /** Stream bytes this end may still send (Long.MAX_VALUE while not bound). */
    long room() {
        if (boundAt < 0) return Long.MAX_VALUE;
        return Math.max(0, Math.max(peerMax, boundAt) - sent);
    }

    void onSent(long n) { sent += n; }
}
