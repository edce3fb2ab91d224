package dev.wanx.transport.session;

/**
 * Notices a far that went silent while the near is waiting on it. A carrier's own idle timeout takes tens of
 * seconds (right for an idle link), but fail-forward promises new connections go direct within about a second
 * of the far disappearing, and failover moves to another far within two. So each stream open starts a check: a
 * PING goes out with it, the peer answers PONG at once, and if nothing at all is heard from the peer within the
 * limit the session is declared dead. Streams already moving data get the same check from a periodic tick once
 * the peer has been silent for a quarter of the limit (streams idle for a while are left alone: no chatter on a quiet link).
 * Pure state: every method takes {@code nowNs}; {@link PeerWatch} owns the timer.
 */
final class PeerLiveness {
    enum Verdict { ALIVE, DEAD, CHECK_AGAIN }

    private final long minLimitNs;
    private long lastHeardNs;
    private long checkStartNs;
    private long lastOpenNs;
    private long lastDataNs = Long.MIN_VALUE;
    private boolean checking;

    /** @param minLimitNs shortest silence that kills the session (the carrier's RTT can lengthen it) */
    PeerLiveness(long minLimitNs, long nowNs) {
        this.minLimitNs = minLimitNs;
        this.lastHeardNs = nowNs;
    }

    void onHeard(long nowNs) {
        if (nowNs - lastHeardNs > 0) lastHeardNs = nowNs;
    }

    /** A local stream open went out. Returns true when a new check starts (send a PING, arm the timer). */
    boolean onLocalOpen(long nowNs) {
        lastOpenNs = nowNs;
        if (checking) return false;
        checking = true;
        checkStartNs = nowNs;
        return true;
    }

    /** Stream data went out or came in. */
    void onData(long nowNs) { lastDataNs = nowNs; }

    /**
     * The periodic tick while streams are open. Returns true when a check starts (send a PING, arm the timer):
     * data moved within the last two limits, and the peer has been silent for a quarter of the limit.
     */
    boolean onTick(long nowNs, long limitNs) {
        if (checking || lastDataNs == Long.MIN_VALUE || nowNs - lastDataNs > 2 * limitNs) return false;
        if (nowNs - lastHeardNs < limitNs / 4) return false;
        checking = true;
        checkStartNs = nowNs;
        return true;
    }

    /**
     * How long a PING sent by the tick waits for any sign of the far: half the open's limit (the far has already been
     * silent a quarter of it when the tick fires), and still four round trips on a long link. A far silent while
     * streams move data has nothing queued in front of its PONG, so this is no shorter than the open's case in effect.
     */
    long tickWindowNs(long rttNs) { return Math.max(minLimitNs / 2, 4 * Math.max(0, rttNs)); }

    /** The silence that kills: at least the configured limit, and four round trips on a long link. */
    long limitNs(long rttNs) { return Math.max(minLimitNs, 4 * Math.max(0, rttNs)); }

    /**
     * The timer fired. DEAD: nothing heard since the check started. CHECK_AGAIN: heard, but opens sent after the
     * check began may still be waiting (a new check has started: send another PING). ALIVE: done.
     */
    Verdict onCheck(long nowNs, boolean opensPending) {
        if (!checking) return Verdict.ALIVE;
        if (lastHeardNs - checkStartNs < 0) return Verdict.DEAD;
        if (opensPending && lastOpenNs - checkStartNs > 0) {
            checkStartNs = nowNs;
            return Verdict.CHECK_AGAIN;
        }
        checking = false;
        return Verdict.ALIVE;
    }

    /** How long the peer has been silent, for the log line. */
    long silentForNs(long nowNs) { return nowNs - lastHeardNs; }
}
