package dev.wanx.transport.udp;

/** What one ACK told the congestion controller. Reused between acks. */
public final class RateSample {
    /** Bytes per second delivered over the sampled interval (0 if the interval was too short to tell). */
    public long deliveryRate;
    public long ackedBytes;
    /** Total delivered when the most recently sent acked packet left; lets the controller count rounds. */
    public long priorDelivered;
    public long delivered;
    /** The sender was not using the whole window: a low sample says nothing about the path. */
    public boolean appLimited;
    /**
     * The acked packet left with more data waiting behind it. Packets sent from idle are app-limited until the first
     * of them is acked, but a run that starts with a full queue is paced by the sender all the same.
     */
    public boolean backlogged;
    /** Latest RTT sample (not smoothed); 0 if this ack gave none. */
    public long rttNs;
    public long bytesInFlight;
    /** The sample's send and ack intervals (the rate is bytes over the longer), for the trace log. */
    public long sendElapsedNs;
    public long ackElapsedNs;
}
