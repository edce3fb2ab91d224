package dev.wanx.transport.session;

/**
 * Flow-control knobs of the session layer. The initial window is part of the protocol (both ends assume it
 * before any CREDIT frame), so it is a constant; the rest is local policy.
 *
 * @param maxWindow       per-stream receive window once the consumer keeps up (≥ a long fat link's BDP)
 * @param sessionBudget   bytes all streams of a session may have granted but not yet handed to their apps
 * @param sendHighWater   per-stream queued bytes above which the stream reports not writable
 * @param sendLowWater    ... and below which it is writable again
 * @param maxPeerStreams  concurrently open streams the peer may have
 * @param peerSilenceMs   a stream open that hears nothing at all from the peer for this long (or four round
 *                        trips, if longer) ends the session, so new connections fail forward (0 = never)
 */
public record MuxOptions(long maxWindow, long sessionBudget, long sendHighWater, long sendLowWater, int maxPeerStreams,
                         long peerSilenceMs) {
    /** Protocol constant: every stream starts with this much credit in each direction. */
    public static final long INITIAL_WINDOW = 1 << 20;
    /** A stream always gets at least this much window, so a full session budget cannot deadlock it. */
    public static final long MIN_WINDOW = 64 << 10;
    /** The largest session budget {@link #withSessionBudget} takes: twice it must fit a long, with room to spare. */
    public static final long MAX_SESSION_BUDGET = 1L << 40;

    public static MuxOptions defaults() {
        return new MuxOptions(16L << 20, 64L << 20, 1L << 20, 256L << 10, 8192, 1000);
    }

    /**
     * Early credit a new stream takes from its peer's ALLOWANCE: what a grown window starts at (a quarter of the
     * largest), less the initial window every stream has anyway.
     */
    public long earlyPerStream() { return Math.max(0, maxWindow / 4 - INITIAL_WINDOW); }

    /** The ALLOWANCE this end grants its peer at the start: two streams' early credit in flight at once. */
    public long earlyAllowance() { return 2 * earlyPerStream(); }

    /**
     * These options with another session budget. The budget must hold one stream's largest window, so a budget below
     * {@code maxWindow} lowers {@code maxWindow} to it; it cannot go below {@link #INITIAL_WINDOW}, which every new
     * stream is granted before any CREDIT frame (the protocol's, not ours to shrink).
     *
     * @throws IllegalArgumentException below {@link #INITIAL_WINDOW} (1 MiB) or above {@link #MAX_SESSION_BUDGET}
     */
    public MuxOptions withSessionBudget(long bytes) {
        if (bytes < INITIAL_WINDOW) {
            throw new IllegalArgumentException("session budget " + bytes + " below the initial window " + INITIAL_WINDOW);
        }
        if (bytes > MAX_SESSION_BUDGET) {
            throw new IllegalArgumentException("session budget " + bytes + " above " + MAX_SESSION_BUDGET);
        }
        return new MuxOptions(Math.min(maxWindow, bytes), bytes, sendHighWater, sendLowWater, maxPeerStreams, peerSilenceMs);
    }

    public MuxOptions withPeerSilenceMs(long ms) {
        return new MuxOptions(maxWindow, sessionBudget, sendHighWater, sendLowWater, maxPeerStreams, ms);
    }

    public MuxOptions {
        if (maxWindow < INITIAL_WINDOW) throw new IllegalArgumentException("maxWindow below the initial window");
        if (sessionBudget < maxWindow) throw new IllegalArgumentException("sessionBudget below maxWindow");
        if (sendLowWater > sendHighWater) throw new IllegalArgumentException("sendLowWater above sendHighWater");
        if (peerSilenceMs < 0) throw new IllegalArgumentException("peerSilenceMs below zero");
    }
}
