package dev.wanx.transport.udp;

/**
 * Sender-side loss detection (RFC 9002 style, RACK-like): a packet is lost once a packet sent 3 later is
 * acked, or once it is 9/8 RTT older than an acked packet. A probe timeout (PTO), not a long RTO, covers
 * the tail: when it fires the sender sends probes, and nothing is declared lost just for the timeout.
 */
public final class LossDetector {
    static final int PACKET_THRESHOLD = 3;
    /** Timeouts back off to at most 8× (QUIC doubles without bound; a long lossy link recovers faster this way). */
    static final int MAX_BACKOFF_SHIFT = 3;

    interface Listener {
        void onAcked(SentPacket p, long nowNs);

        void onLost(SentPacket p, long nowNs);
    }

    private final SentPacketQueue sent = new SentPacketQueue();
    private final RttEstimator rtt;
    private long maxAckDelayNs;
    private long largestAcked = -1;
    private long bytesInFlight;
    private long lossTimeNs = Long.MAX_VALUE;
    private long lastElicitingSentNs;
    private int elicitingInFlight;
    private int ptoCount;
    private long lostPackets;
    private long sentPackets;

    public LossDetector(RttEstimator rtt, long maxAckDelayNs) {
        this.rtt = rtt;
        this.maxAckDelayNs = maxAckDelayNs;
    }

    /** A fresh record for the packet about to be sent; call {@link #onSent} once filled. */
    SentPacket newPacket() { return sent.append(); }

    void onSent(SentPacket p, long nowNs) {
        p.timeSentNs = nowNs;
        sentPackets++;
        if (p.ackEliciting) {
            bytesInFlight += p.bytes;
            elicitingInFlight++;
            lastElicitingSentNs = nowNs;
        } else {
            p.state = SentPacket.ACKED; // ack-only packets are not tracked for loss
        }
    }

    /** Processes one ACK frame; the listener hears of every newly acked and newly lost packet. */
    void onAck(AckFrame ack, long nowNs, Listener l) {
        long largestNewlyAckedSent = -1;
        boolean newLargest = false;
        for (int i = 0; i < sent.size(); i++) {
            SentPacket p = sent.get(i);
            if (p.pn > ack.largest) {
                break;
            }
            if (p.state != SentPacket.IN_FLIGHT || p.pn < ack.smallest() || !ack.contains(p.pn)) {
                continue;
            }
            p.state = SentPacket.ACKED;
            removeFromFlight(p);
            if (p.pn == ack.largest) {
                newLargest = true;
                largestNewlyAckedSent = p.timeSentNs;
            }
            l.onAcked(p, nowNs);
        }
        if (ack.largest > largestAcked) {
            largestAcked = ack.largest;
        }
        if (newLargest) {
            rtt.onSample(nowNs - largestNewlyAckedSent, ack.ackDelayMicros * 1000, maxAckDelayNs);
            ptoCount = 0;
        }
        detectLost(nowNs, l);
        sent.trimHead();
    }

    private void removeFromFlight(SentPacket p) {
        if (p.ackEliciting) {
            bytesInFlight -= p.bytes;
            elicitingInFlight--;
        }
    }

    private void detectLost(long nowNs, Listener l) {
        lossTimeNs = Long.MAX_VALUE;
        long lossDelay = Math.max(Math.max(rtt.latestNs(), rtt.smoothedNs()) * 9 / 8, 1_000_000L);
        for (int i = 0; i < sent.size(); i++) {
            SentPacket p = sent.get(i);
            if (p.pn > largestAcked) {
                break;
            }
            if (p.state != SentPacket.IN_FLIGHT) {
                continue;
            }
            if (largestAcked - p.pn >= PACKET_THRESHOLD || p.timeSentNs <= nowNs - lossDelay) {
                p.state = SentPacket.LOST;
                removeFromFlight(p);
                lostPackets++;
                l.onLost(p, nowNs);
            } else {
                lossTimeNs = Math.min(lossTimeNs, p.timeSentNs + lossDelay);
            }
        }
    }

    /** When {@link #onTimeout} must run next (Long.MAX_VALUE if nothing is outstanding). */
    long timerNs() {
        if (lossTimeNs != Long.MAX_VALUE) {
            return lossTimeNs;
        }
        if (elicitingInFlight == 0) {
            return Long.MAX_VALUE;
        }
        return lastElicitingSentNs + (rtt.ptoNs(peerAckDelayNs()) << Math.min(ptoCount, MAX_BACKOFF_SHIFT));
    }

    /**
     * Runs the loss or probe timer. Returns the number of probe packets the sender must send now
     * (0 when the timer only declared time-threshold losses).
     */
    int onTimeout(long nowNs, Listener l) {
        if (lossTimeNs != Long.MAX_VALUE && nowNs >= lossTimeNs) {
            detectLost(nowNs, l);
            sent.trimHead();
            return 0;
        }
        if (elicitingInFlight > 0 && nowNs >= timerNs()) {
            ptoCount++;
            // More probes per timeout as timeouts repeat: a burst of dozens of dropped packets is crossed
            // in a few timeouts instead of dozens of ever longer ones. At most 32 packets per timeout.
            return Math.min(2 << Math.min(ptoCount - 1, 4), 32);
        }
        return 0;
    }

    /** The packet still in flight with this number, or null (packet numbers are dense in the log). */
    SentPacket inFlight(long pn) {
        if (sent.size() == 0) return null;
        long i = pn - sent.get(0).pn;
        if (i < 0 || i >= sent.size()) return null;
        SentPacket p = sent.get((int) i);
        return p.pn == pn && p.state == SentPacket.IN_FLIGHT ? p : null;
    }

    /** Oldest packet still in flight (what a probe should re-send), or null. */
    SentPacket oldestInFlight() {
        for (int i = 0; i < sent.size(); i++) {
            SentPacket p = sent.get(i);
            if (p.state == SentPacket.IN_FLIGHT && p.ackEliciting) {
                return p;
            }
        }
        return null;
    }

    /** Makes every packet still in flight count as lost (used at close to free frames). */
    void abandonAll(Listener l, long nowNs) {
        for (int i = 0; i < sent.size(); i++) {
            SentPacket p = sent.get(i);
            if (p.state == SentPacket.IN_FLIGHT) {
                p.state = SentPacket.LOST;
                removeFromFlight(p);
                l.onLost(p, nowNs);
            }
        }
        sent.trimHead();
    }

    void maxAckDelayNs(long ns) { this.maxAckDelayNs = ns; }

    /** The peer delays acks by at most min(max ack delay, srtt/4) (same rule as our {@link AckTracker}). */
    private long peerAckDelayNs() { return Math.min(maxAckDelayNs, Math.max(rtt.smoothedNs() / 4, 1_000_000L)); }

    long bytesInFlight() { return bytesInFlight; }

    int ptoCount() { return ptoCount; }

    long lostPackets() { return lostPackets; }

    long sentPackets() { return sentPackets; }

    long largestAcked() { return largestAcked; }
}
