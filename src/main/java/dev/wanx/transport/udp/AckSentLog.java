package dev.wanx.transport.udp;

/**
 * Our packets that carried an ACK frame, newest last: packet number, and the largest that ACK acknowledged. Once the
 * peer acks one of them it knows what that ACK said, so the ranges it covered can be retired
 * ({@link AckTracker#peerHasUpTo}).
 */
final class AckSentLog {
    private static final int KEPT = 256;
    private final long[] pns = new long[KEPT];
    private final long[] largest = new long[KEPT];
    private int count;

    /** Packet {@code pn} carried an ACK up to {@code ackLargest}. */
    void remember(long pn, long ackLargest) {
        int i = count++ % KEPT;
        pns[i] = pn;
        largest[i] = ackLargest;
    }

    /** The peer acked some of our ACK-carrying packets (its newest contiguous range): it knows what they said. */
    void confirm(AckFrame ack, AckTracker acks) {
        long from = ack.starts[0];
        for (int k = 1; k <= Math.min(count, KEPT); k++) {
            int i = (count - k) % KEPT;
            long pn = pns[i];
            if (pn < from) {
                break;
            }
            if (pn <= ack.largest) {
                acks.peerHasUpTo(largest[i]);
                break; // the newest confirmed one describes the most
            }
        }
    }
}
