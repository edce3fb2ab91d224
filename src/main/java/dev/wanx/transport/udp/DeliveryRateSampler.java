package dev.wanx.transport.udp;

/**
 * Delivery-rate samples as in the BBR rate-sampling draft: each packet remembers how much had been
 * delivered when it was sent; when it is acked, (delivered now − delivered then) / elapsed is a sample of
 * the bottleneck bandwidth. The elapsed time is the longer of the send and ack intervals, so ack
 * compression cannot inflate the estimate.
 */
final class DeliveryRateSampler {
    private long delivered;
    private long deliveredTimeNs;
    private long firstSentTimeNs;
    private long appLimitedUntil;
    private final RateSample sample = new RateSample();
    private SentPacket best;
    private long lastProbeTimeoutNs = Long.MIN_VALUE;

    void onPacketSent(SentPacket p, long nowNs, long bytesInFlight) {
        if (bytesInFlight == 0) { // restart the send interval after idle
            firstSentTimeNs = nowNs;
            deliveredTimeNs = nowNs;
        }
        p.delivered = delivered;
        p.deliveredTimeNs = deliveredTimeNs;
        p.firstSentTimeNs = firstSentTimeNs;
        p.appLimited = appLimitedUntil != 0;
    }

    /**
     * The sender has (next to) nothing to send: packets sent from now until everything in flight now has been
     * delivered are app-limited, as in Linux's tcp_rate_check_app_limited. Even with nothing in flight the mark
     * holds until the next delivery, so a lone CREDIT sent by an otherwise idle side counts as app-limited.
     */
    void onAppLimited(long bytesInFlight) { appLimitedUntil = Math.max(1, delivered + bytesInFlight); }

    /**
     * A probe timeout fired: the path was silent for a while (a burst of losses, not the bottleneck). Samples
     * whose interval spans this moment may only raise the bandwidth estimate, never lower it.
     */
    void onProbeTimeout(long nowNs) { lastProbeTimeoutNs = nowNs; }

    void beginAck() {
        best = null;
        sample.ackedBytes = 0;
    }

    void onPacketAcked(SentPacket p, long nowNs) {
        delivered += p.bytes;
        deliveredTimeNs = nowNs;
        sample.ackedBytes += p.bytes;
        if (best == null || p.delivered > best.delivered) {
            best = p;
            firstSentTimeNs = p.timeSentNs;
        }
    }

    /** Completes the sample for this ACK; null if nothing new was acked. */
    RateSample endAck(long rttNs, long minRttNs, long bytesInFlight) {
        if (best == null) {
            return null;
        }
        long sendElapsed = best.timeSentNs - best.firstSentTimeNs;
        long ackElapsed = deliveredTimeNs - best.deliveredTimeNs;
        long interval = Math.max(sendElapsed, ackElapsed);
        long bytes = delivered - best.delivered;
        // As Linux's tcp_rate: an interval shorter than min RTT is not a sample. Acks bunched by a token-bucket
        // burst or a busy receiver would otherwise read above the link (lab, 20 Mbit/s tbf: 23 Mbit/s estimated,
        // paced into the queue, shaved back, again: 17 Mbit/s of goodput where TCP BBR got 18.9).
        sample.deliveryRate = interval > 0 && interval >= minRttNs ? (long) (bytes * 1e9 / interval) : 0;
        sample.priorDelivered = best.delivered;
        sample.delivered = delivered;
        sample.appLimited = best.appLimited || best.deliveredTimeNs <= lastProbeTimeoutNs;
        sample.backlogged = best.backlogged;
        sample.rttNs = rttNs;
        sample.sendElapsedNs = sendElapsed;
        sample.ackElapsedNs = ackElapsed;
        sample.bytesInFlight = bytesInFlight;
        if (appLimitedUntil > 0 && delivered > appLimitedUntil) {
            appLimitedUntil = 0;
        }
        return sample;
    }

    long delivered() { return delivered; }
}
