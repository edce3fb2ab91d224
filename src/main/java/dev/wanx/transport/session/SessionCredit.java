package dev.wanx.transport.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Consumer;

/**
 * A session's flow-control credit across its streams: the receive credit they granted the peer and have not seen
 * consumed, held within the session budget; the window new streams start with; early credit (ALLOWANCE) both
 * ways, whose numbers are {@link EarlyCredit}'s; and session credit (SESSION_MAX, BOUND) both ways, whose numbers are
 * {@link SessionLimit}'s. This class ties them to the streams and sends ALLOWANCE, SESSION_MAX and BOUND. Loop only.
 */
final class SessionCredit {
    private final MuxOptions options;
    private final EarlyCredit early;
    private final ByteBufAllocator alloc;
    private final Consumer<ByteBuf> sendControl;
    private final SessionLimit limit;
    private long outstanding;
    private int streams;
    private long grownWindow = MuxOptions.INITIAL_WINDOW;

    /** @param sendControl sends and flushes a frame (the session's control path) */
    SessionCredit(MuxOptions options, ByteBufAllocator alloc, Consumer<ByteBuf> sendControl) {
        this.options = options;
        this.early = new EarlyCredit(options.earlyPerStream());
        this.alloc = alloc;
        this.sendControl = sendControl;
        this.limit = new SessionLimit(2 * options.sessionBudget());
    }

    /** The first ALLOWANCE this end grants, for the session's first frames (0: send none). */
    long startAllowance() { return early.start(options.earlyAllowance()); }

    void onPeerAllowance(long max) { early.onPeerAllowance(max); }

    /** A stream of either end was added: it starts with the initial window granted. */
    void onNewStream() {
        outstanding += MuxOptions.INITIAL_WINDOW;
        streams++;
    }

    /**
     * Whether one more peer stream may open. A peer bound by session credit cannot make this end hold more than
     * that, so only the stream count limits it; otherwise its initial window must fit twice the session budget.
     */
    boolean roomForPeerStream() {
        return limit.peerBound() || outstanding + MuxOptions.INITIAL_WINDOW <= 2 * options.sessionBudget();
    }

    /**
     * The credit that counts against the budget. With the peer bound by session credit, the streams' initial windows
     * do not: a thousand idle streams would otherwise spend the budget and hold every busy stream at its minimum.
     * Grown windows still share the budget, so stalled readers can fill at most half of the session credit.
     */
    private long committed() {
        return limit.peerBound() ? Math.max(0, outstanding - streams * MuxOptions.INITIAL_WINDOW) : outstanding;
    }

    /** Grants up to {@code want} more receive credit within the session budget; a stream always gets its minimum. */
    long reserve(long want, long streamOutstanding) {
        long room = options.sessionBudget() - committed();
        long grant = Math.min(want, Math.max(room, MuxOptions.MIN_WINDOW - streamOutstanding));
        if (grant <= 0) return 0;
        outstanding += grant;
        return grant;
    }

    /** A stream handed {@code n} bytes to its app. */
    void onConsumed(int n) {
        outstanding -= n;
        release(n);
    }

    /** A stream dropped {@code n} received bytes it already had (a duplicate), or a frame's bytes found no stream. */
    void onDropped(long n) { release(n); }

    private void release(long n) {
        limit.onReleased(n);
        long max = limit.nextGrant();
        if (max >= 0) sendControl.accept(Frame.sessionMax(alloc, max));
    }

    // ---------------- session credit ----------------

    /** The first SESSION_MAX this end sends, after FEATURES. */
    long startSessionMax() { return limit.start(); }

    /** The peer's FEATURES: if both ends do session credit, this end binds itself to the peer's SESSION_MAX now. */
    void onPeerFeatures(int peerBits, int ownBits) {
        int bit = Frame.FEATURE_SESSION_CREDIT;
        if ((peerBits & bit) == 0 || ownBits < 0 || (ownBits & bit) == 0 || limit.bound()) return;
        sendControl.accept(Frame.bound(alloc, limit.bind()));
    }

    /** The peer's BOUND: its streams need no room in the budget from now on, and SESSION_MAX follows releases. */
    void onPeerBound(long sentThen) {
        limit.onPeerBound(sentThen);
        release(0);
    }

    /** The peer's SESSION_MAX; true if this end may send more than before (waiting streams should try again). */
    boolean onPeerSessionMax(long max) { return limit.onPeerMax(max); }

    /** Stream bytes arrived; false if the peer went past the session credit it bound itself to. */
    boolean onReceived(long n) { return limit.onReceived(n); }

    /** Stream bytes this end may send now (Long.MAX_VALUE unless bound by the peer's session credit). */
    long sendRoom() { return limit.room(); }

    void onSent(long n) { limit.onSent(n); }

    /** Received stream bytes this end still holds (any thread: the status report). */
    long held() { return limit.held(); }

    /** What the peer may still send before this end's next SESSION_MAX, -1 if not bound by it (any thread). */
    long peerRoom() { return limit.peerRoom(); }

    /** What this end may still send before the peer's next SESSION_MAX, -1 if not bound by it (any thread). */
    long sendRoomOrUnbound() {
        long room = limit.room();
        return room == Long.MAX_VALUE ? -1 : room;
    }

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
        streams--;
        release(s.heldBytes());
        early.release(s.earlyHeld);
        s.earlyHeld = 0;
        if (early.owes()) giveBackAllowance();
    }

    /** Raises the peer's ALLOWANCE by what OPENs took, while the session's budget has room for it (else later). */
    private void giveBackAllowance() {
        long max = early.giveBack(options.sessionBudget() - committed());
        if (max >= 0) sendControl.accept(Frame.allowance(alloc, max));
    }
}
