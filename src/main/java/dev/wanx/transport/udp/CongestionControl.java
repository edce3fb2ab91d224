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
}
