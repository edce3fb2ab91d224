package dev.wanx.transport.udp;

/**
 * What becomes of our packets, acted on: an ACK or a loss timeout makes the loss detector call each packet acked or
 * lost; acked frames are retired and sampled for the delivery rate, lost ones queued again and the loss classified,
 * and the outcome of the whole ACK or timeout goes to the congestion controller at once. A FILLED frame (the peer
 * rebuilt one of ours from parity) counts for the parity policy only.
 */
final class SendFeedback implements LossDetector.Listener {
    private final RttEstimator rtt;
    private final LossDetector loss;
    private final CongestionControl cc;
    private final DeliveryRateSampler sampler;
    private final SendQueue queue;
    private final PmtuProber pmtu;
    private final ParitySender parityOut;
    private final ConnectionCounters counters;
    private long lostBytesThisAck;

    SendFeedback(RttEstimator rtt, LossDetector loss, CongestionControl cc, DeliveryRateSampler sampler, SendQueue queue,
                 PmtuProber pmtu, ParitySender parityOut, ConnectionCounters counters) {
        this.rtt = rtt;
        this.loss = loss;
        this.cc = cc;
        this.sampler = sampler;
        this.queue = queue;
        this.pmtu = pmtu;
        this.parityOut = parityOut;
        this.counters = counters;
    }

    /** The peer's ACK frame. */
    void onAck(AckFrame ack, long now) {
        sampler.beginAck();
        lostBytesThisAck = 0;
        long prevLargest = loss.largestAcked();
        loss.onAck(ack, now, this);
        pmtu.settleProbeLoss(now);
        boolean newSample = ack.largest > prevLargest && rtt.hasSample();
        RateSample s = sampler.endAck(newSample ? rtt.latestNs() : 0, rtt.minNs(), loss.bytesInFlight());
        if (s != null) {
            cc.onAck(now, s);
        }
        if (lostBytesThisAck > 0) {
            cc.onLoss(now, lostBytesThisAck, loss.bytesInFlight());
        }
    }

    /** The loss detector's timer ran out: returns how many probe packets the timeout asks for (0 if none). */
    int onLossTimer(long now) {
        lostBytesThisAck = 0;
        int probes = loss.onTimeout(now, this);
        pmtu.settleProbeLoss(now);
        if (lostBytesThisAck > 0) {
            cc.onLoss(now, lostBytesThisAck, loss.bytesInFlight());
        }
        return probes;
    }

    /** The peer rebuilt one of ours from parity: a loss all the same, for the parity policy only (no re-send, no rate cut). */
    void onFilled(long pn) {
        SentPacket p = loss.inFlight(pn);
        if (p == null || !p.ackEliciting || pmtu.path().isProbe(pn)) return; // judged lost already, or unknown
        counters.peerFilled++;
        parityOut.countLoss(p);
    }

    @Override
    public void onAcked(SentPacket p, long now) {
        if (pmtu.onAcked(p)) {
            return; // not data: no rate sample
        }
        sampler.onPacketAcked(p, now);
        for (int i = 0, n = p.frames.size(); i < n; i++) {
            queue.onAcked(p.frames.get(i));
        }
    }

    @Override
    public void onLost(SentPacket p, long now) {
        if (pmtu.onLost(p)) {
            return; // a probe: never counted as congestion
        }
        counters.packetsLost++;
        if (parityOut.countLoss(p)) {
            counters.lostRandom++;
        } else {
            counters.lostCongestion++;
        }
        lostBytesThisAck += p.bytes;
        int again = 0;
        for (int i = 0, n = p.frames.size(); i < n; i++) {
            OutFrame f = p.frames.get(i);
            queue.onLost(f);
            if (f.losses > 1) again = Math.max(again, f.losses);
        }
        if (TRACE.isLoggable(java.util.logging.Level.FINER)) {
            TRACE.finer(String.format("lost pn=%d sent %.1f ms ago, %d frames%s", p.pn, (now - p.timeSentNs) / 1e6,
                    p.frames.size(), again > 0 ? ", one lost " + again + " times" : ""));
        }
    }

    /** With --log-level trace, one line per lost packet: how old it was and whether its frames were lost before. */
    private static final java.util.logging.Logger TRACE = java.util.logging.Logger.getLogger("wanx.udp.loss");
}
