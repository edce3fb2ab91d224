package dev.wanx.transport.udp;

/**
 * Token bucket that spreads packets at the controller's pacing rate. The bucket holds at most
 * {@link #BURST_NS} of rate (and never less than a few packets): an event loop wakes a millisecond or more
 * after the time asked for, and a bucket of only 1 ms then capped the rate at what one wake-up could send
 * (lab, 100 Mbit/s: ~4 packets per ~1.4 ms wake-up, 30 Mbit/s sent while pacing at 45).
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

    /** Rate the bucket can hold: a few wake-ups' worth of lateness (bursts of 4 ms are ~1/25 of a 100 ms RTT). */
    static final long BURST_NS = 4_000_000L;

    private long burst() { return Math.max(minBurstBytes, rate * BURST_NS / 1_000_000_000L); }

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
