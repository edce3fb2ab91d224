package dev.wanx.transport.udp;

/**
 * A decoded ACK frame, reused across packets to avoid per-packet allocation. Ranges are inclusive and
 * in descending order: range 0 ends at {@link #largest}.
 */
public final class AckFrame {
    public static final int MAX_RANGES = 64;
    public long largest;
    /** How long the receiver held the largest packet before acking (lets the sender subtract it from RTT). */
    public long ackDelayMicros;
    /** Receiver's clock (micros since its connection start) when the largest packet arrived. */
    public long receiveTimeMicros;
    public int rangeCount;
    public final long[] starts = new long[MAX_RANGES];
    public final long[] ends = new long[MAX_RANGES];

    public boolean contains(long pn) {
        for (int i = 0; i < rangeCount; i++) {
            if (pn >= starts[i] && pn <= ends[i]) {
                return true;
            }
        }
        return false;
    }

    /** Smallest packet number this ACK covers. */
    public long smallest() { return starts[rangeCount - 1]; }
}
