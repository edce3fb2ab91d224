package dev.wanx.transport.udp;

import io.netty.channel.socket.DatagramPacket;

/**
 * Test hook on the receive path: decides whether each datagram arrives now, later, twice or never.
 * Production passes none. Called on the receiving channel's event loop.
 */
public interface DatagramFilter {
    void filter(DatagramPacket packet, Delivery delivery);

    interface Delivery {
        void now(DatagramPacket packet);

        void after(DatagramPacket packet, long delayNs);

        /** Dropped: the filter has released it. */
        default void dropped(DatagramPacket packet) { packet.release(); }
    }
}
