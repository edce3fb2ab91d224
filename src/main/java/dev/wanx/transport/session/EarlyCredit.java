package dev.wanx.transport.session;

/**
 * One session's early credit (ALLOWANCE, docs/PROTOCOL.md "Early credit"), both ways: what this end granted its peer
 * for the streams the peer opens, and what the peer granted for the streams this end opens. A new stream's first
 * CREDIT comes a round trip after its OPEN; early credit lets it fill that round trip. Numbers only: the session
 * and {@link SessionCredit} send the frames. Loop only.
 */
final class EarlyCredit {
    private final long perStream;
    // Granted to the peer.
    private long granted;        // the max in our last ALLOWANCE
    private long claimed;        // what the peer's OPENs took of it
    private long owed;           // claims not given back yet (the budget was short)
    private long heldBeforeOpen; // bytes peer streams received beyond their credit before their OPEN arrived
    // Granted by the peer (0 from an end that sends no ALLOWANCE).
    private long peerMax;
    private long used;

    /** @param perStream what one new stream of this end takes at most */
    EarlyCredit(long perStream) { this.perStream = perStream; }

    /** The first grant to the peer; returns it (0: send no ALLOWANCE). */
    long start(long allowance) {
        granted = allowance;
        return granted;
    }

    /** The peer's ALLOWANCE: cumulative, so a reordered older one changes nothing. */
    void onPeerAllowance(long max) { peerMax = Math.max(peerMax, max); }

    /** Early credit for a stream this end opens now (0 if the peer granted none, or none is left). */
    long take() {
        long e = Math.min(perStream, peerMax - used);
        if (e <= 0) return 0;
        used += e;
        return e;
    }

    /** A peer OPEN took {@code early}: false if more than was left (a violation). */
    boolean claim(long early) {
        if (early > granted - claimed) return false;
        claimed += early;
        owed += early;
        return true;
    }

    /**
     * Gives back what OPENs took, as far as {@code room} (the session budget not yet reserved) allows: returns the new
     * max to send in an ALLOWANCE, or -1 if nothing can be given now.
     */
    long giveBack(long room) {
        long give = Math.min(owed, room - (granted - claimed));
        if (give <= 0) return -1;
        owed -= give;
        granted += give;
        return granted;
    }

    boolean owes() { return owed > 0; }

    /**
     * A peer stream whose OPEN has not arrived got data {@code beyond} its credit ({@code held} of it accepted
     * before): kept while all such bytes fit the allowance not yet claimed, which is at least what the OPENs still on
     * their way took. Returns the new amount held for the stream, or -1 (a violation).
     */
    long hold(long held, long beyond) {
        long more = beyond - held;
        if (more <= 0) return held;
        if (heldBeforeOpen + more > granted - claimed) return -1;
        heldBeforeOpen += more;
        return beyond;
    }

    /** A stream's held bytes are settled: its OPEN arrived, or it ended. */
    void release(long held) { heldBeforeOpen -= held; }

    /** The allowance granted and not yet claimed (for a violation's message). */
    long unclaimed() { return granted - claimed; }
}
