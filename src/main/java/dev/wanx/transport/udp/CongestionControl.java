package dev.wanx.transport.udp;

/**
 * How fast and how much a connection may send. Called on the connection's event loop only. Implementations
 * are made per connection by a {@code Supplier<CongestionControl>} in {@link UdpOptions}, so a controller
 * that learns from context can replace {@link BbrLite} without touching the carrier.
 */
public interface CongestionControl {
    void onPacketSent(long nowNs, int bytes, long bytesInFlight);

    void onAck(long nowNs, RateSample sample);

    /** Packets declared lost. A model-based controller may ignore random loss. */
    void onLoss(long nowNs, long lostBytes, long bytesInFlight);

    /** Most bytes allowed in flight. */
    long congestionWindow();

    /** Pacing rate in bytes per second. */
    long pacingRate();

    /** Estimated bottleneck bandwidth in bytes per second (0 before a sample). */
    long bandwidthEstimate();

    String state();

    /**
     * A previous session's model of this path (careful resume): a controller may start near its rate once the
     * handshake RTT says it is the same path, and must fall back at once if the first round trips disagree.
     * Called before anything is sent. {@code rttMeasured}: whether the initial RTT was measured (the near's
     * handshake) or is a default (the far end, which learns it from its first ack). Default: ignored (every
     * session starts as on an unknown path).
     */
    default void resume(dev.wanx.transport.path.PathRecord saved, boolean rttMeasured) { }

    /** The model worth keeping for the next session on this path, or null while there is none from a full pipe. */
    default dev.wanx.transport.path.PathRecord snapshot(long nowMillis) { return null; }
}
