package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.net.InetSocketAddress;
import java.util.function.LongPredicate;

/**
 * The receiving side of FEC: keeps the peer's authentic datagrams, rebuilds lost ones from its REPAIR packets, and
 * lists those rebuilt for the FILLED frame that tells the peer they were lost all the same.
 */
final class ParityReceiver {
    /** Where a rebuilt datagram goes: taken in as if it had just arrived ({@link UdpConnection#receive}). */
    interface Inbound {
        boolean receive(ByteBuf packet, InetSocketAddress from, long now);

        /** The packet number of the last packet {@link #receive} accepted (a SHORT header's, expanded). */
        long lastPacketNumber();
    }

    private final Fec.Receiver fecIn;
    private final ByteBufAllocator alloc;
    private final ConnectionCounters counters;
    private final LongPredicate alreadyHave;
    private final Inbound inbound;
    /** Packet numbers rebuilt from the peer's parity, not yet reported (FILLED rides in front of the next ACK). */
    private final long[] filled = new long[Frames.MAX_FILLED];
    private int filledCount;
    private boolean peerReadsFilled;

    ParityReceiver(int maxDatagram, int slots, ByteBufAllocator alloc, ConnectionCounters counters, AckTracker acks, Inbound inbound) {
        this.fecIn = new Fec.Receiver(maxDatagram, slots);
        this.alloc = alloc;
        this.counters = counters;
        this.alreadyHave = acks::isDuplicate;
        this.inbound = inbound;
    }

    /** Whether the peer's hello said it reads FILLED frames (an older one would drop the whole packet). */
    void peerReadsFilled(boolean reads) { this.peerReadsFilled = reads; }

    /** The connection has been quiet: the datagrams kept for repairs are freed (allocated again as packets come). */
    void trim() { fecIn.trim(); }

    /** An authentic DATA packet arrived (its sealed bytes, header included). */
    void store(ByteBuf datagram, long pn) { fecIn.store(datagram, pn); }

    /** A REPAIR of this connection: takes in what it rebuilds. True if a rebuilt packet was accepted. */
    boolean onRepair(ByteBuf repair, InetSocketAddress from, long now) {
        boolean accepted = false;
        for (ByteBuf rebuilt : fecIn.recover(repair, alloc, alreadyHave)) {
            try {
                long before = counters.packetsReceived;
                accepted |= inbound.receive(rebuilt, from, now);
                if (counters.packetsReceived > before) {
                    long pn = inbound.lastPacketNumber();
                    counters.fecRecovered++;
                    // Reported so the sender still sees the loss: else working parity hides the loss it answers,
                    // the sender's loss rate falls and parity is cut (lab, 1 %: read as 0.2-0.3 %).
                    if (peerReadsFilled && filledCount < filled.length) filled[filledCount++] = pn;
                }
            } finally {
                rebuilt.release();
            }
        }
        return accepted;
    }

    /** Bytes the pending FILLED frame takes in a packet, 0 if none is pending. */
    int filledSize() { return filledCount > 0 ? Frames.filledSize(filledCount) : 0; }

    /** Writes the pending FILLED frame, if any. */
    void writeFilled(ByteBuf plain) {
        if (filledCount == 0) return;
        Frames.writeFilled(plain, filled, filledCount);
        filledCount = 0; // not re-sent if this packet is lost: an estimate, not state
    }
}
