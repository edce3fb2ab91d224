package dev.wanx.transport.session;

import dev.wanx.transport.FrameLink;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;

/**
 * The streams' round-robin share of the link: streams with something to send wait their turn, one frame per stream
 * per turn, while the carrier is writable; streams held by the peer's session credit wait apart until it grows.
 * Loop only.
 */
final class SendRotation {
    private final FrameLink link;
    private final BooleanSupplier active;
    private final ArrayDeque<MuxStream> ready = new ArrayDeque<>();
    /** Streams with data and stream credit that wait for the peer's session credit; each at most once. */
    private final ArrayDeque<MuxStream> waiting = new ArrayDeque<>();
    private boolean pumping;

    /** @param active whether the session is up (nothing is sent once it is not) */
    SendRotation(FrameLink link, BooleanSupplier active) {
        this.link = link;
        this.active = active;
    }

    /** The stream may have something to send: it joins the rotation unless it is in it, and the link gets a turn. */
    void markReady(MuxStream s) {
        if (!s.inSendReady && s.hasSendable()) {
            s.inSendReady = true;
            ready.add(s);
        }
        pump();
    }

    /** Sends while the link is writable and streams wait; flushes once after. */
    void pump() {
        if (pumping || !active.getAsBoolean()) return;
        pumping = true;
        boolean sent = false;
        try {
            int maxFrame = link.maxFrameSize();
            while (link.isWritable() && !ready.isEmpty()) {
                MuxStream s = ready.poll();
                s.inSendReady = false;
                s.sendOne(maxFrame);
                sent = true;
                if (s.hasSendable()) {
                    s.inSendReady = true;
                    ready.add(s);
                }
            }
        } finally {
            pumping = false;
        }
        if (sent) link.flush();
    }

    /** The stream waits for session credit (SESSION_MAX) before it can send again. */
    void waitForCredit(MuxStream s) {
        if (s.inSessionWait) return;
        s.inSessionWait = true;
        waiting.add(s);
    }

    /** Session credit grew: the streams that waited for it take their turns again. */
    void wakeWaiting() {
        for (int n = waiting.size(); n > 0; n--) { // a stream the new credit does not reach waits again, at the back
            MuxStream s = waiting.poll();
            s.inSessionWait = false;
            markReady(s);
        }
    }

    /** The session closed: the waiting streams are dropped (they were finished). */
    void clear() {
        ready.clear();
        waiting.clear();
    }
}
