package dev.wanx.transport.path;

import java.nio.ByteBuffer;

/**
 * What a session learned about its path, kept for the next session in the same network context: the
 * bottleneck bandwidth (bytes/s, from delivery rates of a full pipe), the min RTT and the loss rate.
 *
 * @param savedAtMillis wall-clock time of the measurement (history goes stale)
 */
public record PathRecord(long bandwidthBytesPerSec, long minRttNs, double loss, long savedAtMillis) {
    static final int VERSION = 1;
    static final int LENGTH = 1 + 8 + 8 + 8 + 8;

    public PathRecord {
        if (bandwidthBytesPerSec <= 0 || minRttNs <= 0 || loss < 0 || loss > 1) {
            throw new IllegalArgumentException("not a path: bw=" + bandwidthBytesPerSec + " minRtt=" + minRttNs + " loss=" + loss);
        }
    }

    byte[] encode() {
        return ByteBuffer.allocate(LENGTH).put((byte) VERSION).putLong(bandwidthBytesPerSec).putLong(minRttNs)
                .putDouble(loss).putLong(savedAtMillis).array();
    }

    /** Null for anything not written by this version (history is a hint: unreadable means unknown). */
    static PathRecord decode(byte[] b) {
        if (b == null || b.length != LENGTH || b[0] != VERSION) {
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(b, 1, LENGTH - 1);
        try {
            return new PathRecord(in.getLong(), in.getLong(), in.getDouble(), in.getLong());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%.1f Mbit/s, min RTT %.1f ms, loss %.2f %%",
                bandwidthBytesPerSec * 8 / 1e6, minRttNs / 1e6, loss * 100);
    }
}
