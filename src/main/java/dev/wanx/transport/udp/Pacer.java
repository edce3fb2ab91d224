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

    /**
     * Once the bucket is empty, the sender sleeps until this much rate has gathered, not one packet's worth: each
     * wake-up costs the event loop a timer, a syscall and a flush, and at 100 Mbit/s one per packet (~8,500 a
     * second) took CPU the receiver and the link needed on a small host. A millisecond of rate is what Linux's
     * pacing sends per wake-up too (TSO autosizing); below ~10 Mbit/s it is a packet or two, as before.
     */
    static final long QUANTUM_NS = 1_000_000L;

    /** 0 if a packet of this size may go now, else nanoseconds to wait (for a quantum of rate, see above). */
    public long delayNs(long nowNs, int bytes) {
        refill(nowNs);
        if (tokens >= bytes) {
            return 0;
        }
        long quantum = Math.min(burst(), Math.max(bytes, rate * QUANTUM_NS / 1_000_000_000L));
        return Math.max(1, (long) ((quantum - tokens) * 1e9 / rate));
    }

    public void onSent(long nowNs, int bytes) {
        refill(nowNs);
        tokens -= bytes;
    }
}
