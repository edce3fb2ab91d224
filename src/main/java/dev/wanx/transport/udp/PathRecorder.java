package dev.wanx.transport.udp;

import dev.wanx.transport.path.PathMemory;
import dev.wanx.transport.path.PathRecord;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Connects one connection to the path history: applies the remembered model at the start (careful resume)
 * and saves the current one every few seconds and at close, on the connection's event loop.
 */
final class PathRecorder {
    private static final Logger LOG = Logger.getLogger("wanx.path");
    static final long SAVE_EVERY_MS = 5_000;

    private final PathMemory memory;
    private final String context;
    private final UdpConnection conn;
    private PathRecord lastSaved;
    private ScheduledFuture<?> task;

    private PathRecorder(PathMemory memory, String context, UdpConnection conn) {
        this.memory = memory;
        this.context = context;
        this.conn = conn;
    }

    /**
     * Call on the link's loop before the connection sends anything; null context or {@link PathMemory#NONE}:
     * nothing is done and null is returned.
     */
    static PathRecorder start(PathMemory memory, String context, UdpLink link, boolean rttMeasured) {
        if (memory == null || memory == PathMemory.NONE || context == null) {
            return null;
        }
        PathRecorder r = new PathRecorder(memory, context, link.connection());
        PathRecord saved = memory.lookup(context);
        if (saved != null) {
            r.conn.congestionControl().resume(saved, rttMeasured);
            r.conn.expectLoss(saved.loss());
            LOG.info("path history for " + context + ": " + saved + "; starting at half that rate once the RTT agrees");
        }
        r.task = link.eventLoop().scheduleAtFixedRate(r::save, SAVE_EVERY_MS, SAVE_EVERY_MS, TimeUnit.MILLISECONDS);
        return r;
    }

    /** Saves the model if there is one and it changed; ends the periodic task once the connection is closed. */
    void save() {
        PathRecord now = conn.congestionControl().snapshot(System.currentTimeMillis());
        if (now != null && (lastSaved == null || now.bandwidthBytesPerSec() != lastSaved.bandwidthBytesPerSec()
                || now.minRttNs() != lastSaved.minRttNs())) {
            memory.remember(context, now);
            lastSaved = now;
        }
        if (conn.isClosed() && task != null) {
            task.cancel(false);
        }
    }
}
