package dev.wanx.transport.udp;

import java.util.ArrayList;

/** What the sender remembers about one packet until it is acked or declared lost. Pooled by {@link SentPacketQueue}. */
final class SentPacket {
    static final int IN_FLIGHT = 0;
    static final int ACKED = 1;
    static final int LOST = 2;

    long pn;
    long timeSentNs;
    int bytes;
    boolean ackEliciting;
    int state;
    /** Delivery-rate sampling state at send time (see {@link DeliveryRateSampler}). */
    long delivered;
    long deliveredTimeNs;
    long firstSentTimeNs;
    boolean appLimited;
    /** More data waited when it was sent: the pacer or the window, not the app, set its pace. */
    boolean backlogged;
    /** The RTT showed a queue when it was sent: it never counts towards the quiet-time loss rate. */
    boolean behindQueue;
    final ArrayList<OutFrame> frames = new ArrayList<>(4);

    void reset() {
        frames.clear();
        state = IN_FLIGHT;
        ackEliciting = false;
        appLimited = false;
        backlogged = false;
        behindQueue = false;
        bytes = 0;
    }
}
