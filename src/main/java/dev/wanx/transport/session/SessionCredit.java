package dev.wanx.transport.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Consumer;

/**
 * A session's flow-control credit across its streams: the receive credit they granted the peer and have not seen
 * consumed, held within the session budget; the window new streams start with; and early credit (ALLOWANCE) both
 * ways, whose numbers are {@link EarlyCredit}'s: this class ties them to the streams and gives back ALLOWANCE. Loop only.
 */
final class SessionCredit {
    private final MuxOptions options;
    private final EarlyCredit early;
    private final ByteBufAllocator alloc;
    private final Consumer<ByteBuf> sendControl;
    private long outstanding;
    private long grownWindow = MuxOptions.INITIAL_WINDOW;

    /** @param sendControl sends and flushes a frame (the session's control path) */
    SessionCredit(MuxOptions options, ByteBufAllocator alloc, Consumer<ByteBuf> sendControl) {
        this.options = options;
        this.early = new EarlyCredit(options.earlyPerStream());
        this.alloc = alloc;
        this.sendControl = sendControl;
    }

    /** The first ALLOWANCE this end grants, for the session's first frames (0: send none). */
    long startAllowance() { return early.start(options.earlyAllowance()); }

    void onPeerAllowance(long max) { early.onPeerAllowance(max); }

    /** A stream of either end was added: it starts with the initial window granted. */
    void onNewStream() { outstanding += MuxOptions.INITIAL_WINDOW; }

    /** Whether the initial window of one more peer stream fits twice the session budget. */
    boolean roomForPeerStream() { return outstanding + MuxOptions.INITIAL_WINDOW <= 2 * options.sessionBudget(); }

    /** Grants up to {@code want} more receive credit within the session budget; a stream always gets its minimum. */
    long reserve(long want, long streamOutstanding) {
        long room = options.sessionBudget() - outstanding;
        long grant = Math.min(want, Math.max(room, MuxOptions.MIN_WINDOW - streamOutstanding));
        if (grant <= 0) return 0;
        outstanding += grant;
        return grant;
    }

    void onConsumed(int n) { outstanding -= n; }

    /** A stream's receive window grew (its reader kept up): later streams of this session may start near it. */
    void noteWindow(long w) {
        if (w > grownWindow) grownWindow = w;
    }

    /**
     * The receive window a new stream starts with: what this session's streams grew to, at most a quarter of the
     * largest window, so a burst of new streams cannot reserve the whole budget between them.
     */
    long startWindow() { return Math.min(grownWindow, options.maxWindow() / 4); }

    /** Early credit for a stream this end opens now: what the peer's ALLOWANCE has left, up to a start window. */
    long takeEarly(MuxStream s) {
        long e = early.take();
        if (e > 0) s.addEarlyCredit(e);
        return e;
    }

    /** A peer OPEN took {@code took} bytes of early credit: false if more than was left (a violation). */
    boolean claimEarly(long took) { return early.claim(took); }

    /** The allowance granted and not yet claimed (for a violation's message). */
    long unclaimedEarly() { return early.unclaimed(); }

    /** A peer stream's OPEN arrived, having claimed {@code took}: what it held is settled, and its window grows by it. */
    void onPeerOpen(MuxStream s, long took) {
        early.release(s.earlyHeld);
        s.earlyHeld = 0;
        if (took > 0) {
            outstanding += took;
            s.grantEarly(took);
            giveBackAllowance();
        }
    }

    /**
     * A peer stream whose OPEN has not arrived got data beyond its credit (its OPEN, lost or late, takes early credit):
     * kept while all such bytes fit what the peer may have taken of its ALLOWANCE. False: a violation.
     */
    boolean holdEarly(MuxStream s, long beyondCredit) {
        long held = early.hold(s.earlyHeld, beyondCredit);
        if (held < 0) return false;
        s.earlyHeld = held;
        return true;
    }

    /** A stream ended: its credit is no longer outstanding, which may leave room to give back ALLOWANCE owed. */
    void onStreamFinished(MuxStream s) {
        outstanding -= s.outstandingCredit();
        early.release(s.earlyHeld);
        s.earlyHeld = 0;
        if (early.owes()) giveBackAllowance();
    }

    /** Raises the peer's ALLOWANCE by what OPENs took, while the session's budget has room for it (else later). */
    private void giveBackAllowance() {
        long max = early.giveBack(options.sessionBudget() - outstanding);
        if (max >= 0) sendControl.accept(Frame.allowance(alloc, max));
    }
}
