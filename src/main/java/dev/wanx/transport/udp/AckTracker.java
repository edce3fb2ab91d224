package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;

/**
 * Receiver side of acknowledgement: which packet numbers arrived, and when an ACK is owed. An ACK is
 * sent at once after every 4th ack-eliciting packet or when a packet arrives out of order (so the sender
 * learns of holes quickly), otherwise no later than the max ack delay (¼ RTT, capped).
 */
public final class AckTracker {
    private final RangeSet received;
    private final long[] s = new long[AckFrame.MAX_RANGES];
    private final long[] e = new long[AckFrame.MAX_RANGES];
    private final long startNs;
    private long largestRecvTimeNs;
    private int unackedEliciting;
    private long ackDeadlineNs = Long.MAX_VALUE;
    private boolean ackPending;
    private long maxAckDelayNs;
    private long reportFloor = -1;
    private int lastRanges;
    private boolean compact;
    /** An ACK at once after this many ack-eliciting packets (in order); at 100 Mbit/s every 2nd cost ~9 % of the link. */
    static final int ACK_EVERY = 4;

    public AckTracker(int maxRanges, long maxAckDelayNs, long startNs) {
        this.received = new RangeSet(maxRanges);
        this.maxAckDelayNs = maxAckDelayNs;
        this.startNs = startNs;
    }

    /** Whether the peer's hello said it reads ACK_V: then ACKs go in that shorter form. */
    public void peerReadsAckV(boolean reads) { this.compact = reads; }

    /** The most bytes an ACK of {@code ranges} ranges may take in the form this tracker writes. */
    public int maxAckSize(int ranges) {
        return compact ? Frames.ACK_V_MAX_FIXED + (ranges - 1) * Frames.ACK_V_MAX_PER_RANGE
                : Frames.ACK_FIXED + (ranges - 1) * Frames.ACK_PER_RANGE;
    }

    /** Sets the max ack delay, e.g. to a quarter of the smoothed RTT. */
    public void maxAckDelayNs(long ns) { this.maxAckDelayNs = ns; }

    public boolean isDuplicate(long pn) { return received.contains(pn); }

    /** Records an authenticated packet. Returns false (drop it) if it is a duplicate or older than the window. */
    public boolean onPacket(long pn, boolean ackEliciting, long nowNs) {
        long prevLargest = received.max();
        if (!received.add(pn)) {
            return false;
        }
        if (pn > prevLargest) {
            largestRecvTimeNs = nowNs;
        }
        if (ackEliciting) { // acks of ack-only packets would never end; they ride along only when an ACK goes anyway
            ackPending = true;
            unackedEliciting++;
            boolean outOfOrder = pn != prevLargest + 1;
            if (unackedEliciting >= ACK_EVERY || outOfOrder) {
                ackDeadlineNs = nowNs;
            } else if (ackDeadlineNs == Long.MAX_VALUE) {
                ackDeadlineNs = nowNs + maxAckDelayNs;
            }
        }
        return true;
    }

    /** When an ACK must go out (Long.MAX_VALUE if none is owed). */
    public long ackDeadlineNs() { return ackDeadlineNs; }

    /** True if there is anything to acknowledge (ACKs may also ride along in packets sent anyway). */
    public boolean hasAckToSend() { return ackPending; }


    /**
     * Writes an ACK frame with up to maxRanges ranges (most recent first) and resets the ack timer. Ranges wholly
     * below the report floor (see {@link #peerHasUpTo}) are left out. Returns the largest packet number the frame
     * acknowledges, or -1 if none was written.
     */
    public long writeAck(ByteBuf out, long nowNs, int maxRanges) {
        int n = received.copyDescending(s, e, Math.min(maxRanges, AckFrame.MAX_RANGES));
        if (n == 0) {
            return -1;
        }
        while (n > 1 && e[n - 1] <= reportFloor) {
            n--; // the peer already knows about these (an ACK that said so was acked)
        }
        long delayMicros = Math.max(0, (nowNs - largestRecvTimeNs) / 1000);
        if (compact) Frames.writeAckV(out, delayMicros, (largestRecvTimeNs - startNs) / 1000, s, e, n);
        else Frames.writeAck(out, delayMicros, (largestRecvTimeNs - startNs) / 1000, s, e, n);
        lastRanges = n;
        unackedEliciting = 0;
        ackPending = false;
        ackDeadlineNs = Long.MAX_VALUE;
        return e[0];
    }

    /**
     * The peer received an ACK of ours whose largest was {@code largest}: as in QUIC, later ACKs need not repeat
     * ranges at or below it (what they would say was said; a packet never reported is declared lost by the peer
     * and its frames re-sent, which costs a duplicate, not data). Without this, every loss left a range that rode
     * in each ACK for good: 32 ranges, ~560 bytes per ACK, a quarter more bytes on the wire at 1 % loss.
     */
    public void peerHasUpTo(long largest) { reportFloor = Math.max(reportFloor, largest); }

    /**
     * Whether the last ACK carried holes the peer should be asked to confirm (more than one range). A hole-free
     * ACK never asks: two idle ends would otherwise ask each other for acks forever.
     */
    public boolean hasRangesToRetire() { return lastRanges > 1; }

    public long largest() { return received.max(); }
}
