package dev.wanx.transport.udp;

/** Smoothed RTT, RTT variance and min RTT from ack samples, as in RFC 9002 §5. */
public final class RttEstimator {
    private final long initialRttNs;
    private long latestNs;
    private long latestAdjustedNs;
    private long smoothedNs;
    private long varNs;
    private long minNs = Long.MAX_VALUE;
    private boolean hasSample;

    public RttEstimator(long initialRttNs) {
        this.initialRttNs = initialRttNs;
        this.smoothedNs = initialRttNs;
        this.varNs = initialRttNs / 2;
    }

    /**
     * One sample: time from sending the largest newly acked packet to receiving its ack, less the
     * peer's reported ack delay (capped at maxAckDelay, and never below min RTT, so a lying or slow peer
     * cannot shrink the estimate).
     */
    public void onSample(long sampleNs, long ackDelayNs, long maxAckDelayNs) {
        if (sampleNs <= 0) {
            return;
        }
        latestNs = sampleNs;
        minNs = Math.min(minNs, sampleNs);
        long adjusted = sampleNs;
        long delay = Math.min(ackDelayNs, maxAckDelayNs);
        if (sampleNs - delay >= minNs) {
            adjusted = sampleNs - delay;
        }
        latestAdjustedNs = adjusted;
        if (!hasSample) {
            hasSample = true;
            smoothedNs = adjusted;
            varNs = adjusted / 2;
            return;
        }
        varNs = (3 * varNs + Math.abs(smoothedNs - adjusted)) / 4;
        smoothedNs = (7 * smoothedNs + adjusted) / 8;
    }

    public boolean hasSample() { return hasSample; }

    public long latestNs() { return hasSample ? latestNs : initialRttNs; }

    /** The latest sample less the peer's ack delay: the path's own latest RTT (what a queue shows in). */
    public long latestAdjustedNs() { return hasSample ? latestAdjustedNs : initialRttNs; }

    public long smoothedNs() { return smoothedNs; }

    public long varNs() { return varNs; }

    public long minNs() { return hasSample ? minNs : initialRttNs; }

    /** Probe timeout before backoff: srtt + max(4·rttvar, 1 ms) + the peer's max ack delay. */
    public long ptoNs(long maxAckDelayNs) {
        return smoothedNs + Math.max(4 * varNs, 1_000_000L) + maxAckDelayNs;
    }
}
