package dev.wanx.transport.udp;

/**
 * Token bucket that spreads packets at the controller's pacing rate. The bucket holds at most ~1 ms of
 * rate (and never less than a few packets) so bursts stay small, yet the event loop need not wake per packet.
 */
public final class Pacer {
    private final int minBurstBytes;
    private long rate = 1;
    private double tokens;
    private long lastNs;
    private boolean started;

    public Pacer(int minBurstBytes) {
        this.minBurstBytes = minBurstBytes;
        this.tokens = minBurstBytes;
    }

    public void setRate(long bytesPerSec) { this.rate = Math.max(1, bytesPerSec); }

    private long burst() { return Math.max(minBurstBytes, rate / 1000); }

    private void refill(long nowNs) {
        if (!started) {
            started = true;
            lastNs = nowNs;
            return;
        }
        long elapsed = Math.min(nowNs - lastNs, 1_000_000_000L);
        if (elapsed > 0) {
            tokens = Math.min(burst(), tokens + elapsed * (double) rate / 1e9);
            lastNs = nowNs;
        }
    }

    /** 0 if a packet of this size may go now, else nanoseconds to wait. */
    public long delayNs(long nowNs, int bytes) {
        refill(nowNs);
        if (tokens >= bytes) {
            return 0;
        }
        return Math.max(1, (long) ((bytes - tokens) * 1e9 / rate));
    }

    public void onSent(long nowNs, int bytes) {
        refill(nowNs);
        tokens -= bytes;
    }
}
