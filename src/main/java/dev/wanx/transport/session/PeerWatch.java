package dev.wanx.transport.session;

import dev.wanx.transport.FrameLink;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Runs a session's {@link PeerLiveness} checks: the PINGs, the timers, and closing the link when the far went silent.
 * Loop only.
 */
final class PeerWatch {
    private static final Logger LOG = Logger.getLogger("wanx.session");

    private final FrameLink link;
    private final EventLoop loop;
    private final MuxOptions options;
    private final LongSupplier clock;
    private final PeerLiveness liveness;
    private final ByteBufAllocator alloc;
    private final BooleanSupplier active;
    private final BooleanSupplier opensPending;
    private final LongSupplier streamsOpen;
    private long pingToken;
    private String localCloseReason;   // why this end closed the link, for the streams' errors

    /**
     * @param active whether the session is up
     * @param opensPending whether a stream this end opened still waits for its OPEN_OK
     * @param streamsOpen the session's open streams, both ends'
     */
    PeerWatch(FrameLink link, EventLoop loop, MuxOptions options, LongSupplier clock, PeerLiveness liveness,
            ByteBufAllocator alloc, BooleanSupplier active, BooleanSupplier opensPending, LongSupplier streamsOpen) {
        this.link = link;
        this.loop = loop;
        this.options = options;
        this.clock = clock;
        this.liveness = liveness;
        this.alloc = alloc;
        this.active = active;
        this.opensPending = opensPending;
        this.streamsOpen = streamsOpen;
    }

    /** Starts the periodic tick for streams already moving data (none when the check is off), until {@code closed}. */
    void tickUntil(CompletableFuture<?> closed) {
        if (options.peerSilenceMs() <= 0) return;
        long every = Math.max(50, options.peerSilenceMs() / 8);
        ScheduledFuture<?> tick = loop.scheduleAtFixedRate(this::tickPeer, every, every, TimeUnit.MILLISECONDS);
        closed.whenComplete((c, e) -> tick.cancel(false));
    }

    /** Why this end closed the link (the far went silent), or null if it did not. */
    String localCloseReason() { return localCloseReason; }

    /** A local open went out: unless a check is running, probe the peer and arm the check. */
    void watchPeer() {
        if (options.peerSilenceMs() == 0) return;
        if (liveness.onLocalOpen(clock.getAsLong())) probePeer();
    }

    /** Streams moving data while the far went silent: the same check as for an open (see PeerLiveness). */
    private void tickPeer() {
        if (!active.getAsBoolean() || streamsOpen.getAsLong() == 0) return;
        long carrierHeard = link.lastHeardNs();
        if (carrierHeard != Long.MIN_VALUE) liveness.onHeard(carrierHeard);
        long rttNs = TimeUnit.MICROSECONDS.toNanos(link.carrierStats().rttMicros());
        if (liveness.onTick(clock.getAsLong(), liveness.limitNs(rttNs))) {
            probePeer(liveness.tickWindowNs(rttNs));
            link.flush();
        }
    }

    private void probePeer() {
        probePeer(liveness.limitNs(TimeUnit.MICROSECONDS.toNanos(link.carrierStats().rttMicros())));
    }

    private void probePeer(long windowNs) {
        link.send(Frame.ping(alloc, Frame.PING, ++pingToken));
        loop.schedule(this::checkPeer, windowNs, TimeUnit.NANOSECONDS);
    }

    private void checkPeer() {
        if (!active.getAsBoolean()) return;
        boolean opensPending = this.opensPending.getAsBoolean();
        long now = clock.getAsLong();
        long carrierHeard = link.lastHeardNs(); // acks for packets in flight count: the far is there, just busy
        if (carrierHeard != Long.MIN_VALUE) liveness.onHeard(carrierHeard);
        switch (liveness.onCheck(now, opensPending)) {
            case DEAD -> {
                String why = "far silent for " + TimeUnit.NANOSECONDS.toMillis(liveness.silentForNs(now)) + " ms"
                        + (opensPending ? " while a stream was opening" : " while streams were moving data");
                LOG.warning(() -> "session with " + link.peerName() + ": " + why);
                localCloseReason = why;
                link.close(why);
            }
            case CHECK_AGAIN -> {
                probePeer();
                link.flush();
            }
            case ALIVE -> { }
        }
    }
}
