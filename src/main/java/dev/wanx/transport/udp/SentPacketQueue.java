package dev.wanx.transport.udp;

/**
 * Outstanding packets in packet-number order, in a growable ring with pooled entries (no allocation per
 * packet once warm). Acked or lost entries in the middle stay until they reach the head.
 */
final class SentPacketQueue {
    private SentPacket[] ring = new SentPacket[1024];
    private int head;
    private int size;

    /** Appends a recycled entry; the caller fills it. */
    SentPacket append() {
        if (size == ring.length) {
            SentPacket[] bigger = new SentPacket[ring.length * 2];
            for (int i = 0; i < size; i++) {
                bigger[i] = ring[(head + i) & (ring.length - 1)];
            }
            ring = bigger;
            head = 0;
        }
        int idx = (head + size) & (ring.length - 1);
        SentPacket p = ring[idx];
        if (p == null) {
            p = new SentPacket();
            ring[idx] = p;
        }
        p.reset();
        size++;
        return p;
    }

    SentPacket get(int i) { return ring[(head + i) & (ring.length - 1)]; }

    int size() { return size; }

    /** Drops acked/lost entries from the head so the ring holds only what may still matter. */
    void trimHead() {
        while (size > 0) {
            SentPacket p = ring[head];
            if (p.state == SentPacket.IN_FLIGHT) {
                return;
            }
            p.frames.clear();
            head = (head + 1) & (ring.length - 1);
            size--;
        }
    }
}
