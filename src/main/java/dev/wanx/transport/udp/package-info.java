/**
 * The UDP carrier: a user-space reliable transport for long, lossy links, behind
 * {@link dev.wanx.transport.FrameLink}. Entry points: {@link dev.wanx.transport.udp.UdpCarrier#connect} (near end),
 * {@link dev.wanx.transport.udp.UdpServer#bind} (far end), {@link dev.wanx.transport.udp.UdpOptions}.
 *
 * <p>Layers, each a single-threaded state machine fed with {@code nowNs}: wire flyweights
 * ({@code PacketHeader}, {@code Frames}, {@code HandshakePacket}); receiver acks ({@code AckTracker},
 * {@code RangeSet}); sender loss detection ({@code LossDetector}, {@code RttEstimator}, {@code SentPacketQueue});
 * rate ({@code CongestionControl}/{@code BbrLite} with {@code CarefulResume}, {@code DeliveryRateSampler}, {@code Pacer}); the connection
 * tying them together ({@code UdpConnection}) with its parts ({@code PacketSender}, {@code PacketReceiver},
 * {@code PacketFiller}, {@code PacketWriter}, {@code SendFeedback}, {@code ParitySender}, {@code ParityReceiver},
 * {@code PmtuProber}, {@code PathValidator}, {@code AckSentLog}); and the Netty glue ({@code UdpLink},
 * {@code DatagramInbound}).
 * Wire format: {@code docs/PROTOCOL.md, "UDP carrier"}.
 */
package dev.wanx.transport.udp;
