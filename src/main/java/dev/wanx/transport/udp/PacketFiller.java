package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;

/**
 * What one packet carries, in order: a due ACK (FILLED in front of it), our answer to a path challenge, queued frames
 * up to the room the path gives (re-sends first), an ACK not yet due where it still fits, and a PING when the packet
 * must be acked.
 */
final class PacketFiller {
    private static final int ACK_RANGES_PER_PACKET = 8;
    private final AckTracker acks;
    private final AckSentLog acksSent;
    private final ParityReceiver parityIn;
    private final PathValidator paths;
    private final SendQueue queue;
    private final RttEstimator rtt;
    private final ConnectionCounters counters;
    private final int largestPayload;
    private dev.wanx.transport.FrameLink.FrameSplitter splitter;
    private long lastAckPingNs;
    /** The peer reads SHORT packets and DATA_V frames (its hello said so). */
    private boolean dataV;

    PacketFiller(AckTracker acks, AckSentLog acksSent, ParityReceiver parityIn, PathValidator paths, SendQueue queue,
                 RttEstimator rtt, ConnectionCounters counters, int largestPayload) {
        this.acks = acks;
        this.acksSent = acksSent;
        this.parityIn = parityIn;
        this.paths = paths;
        this.queue = queue;
        this.rtt = rtt;
        this.counters = counters;
        this.largestPayload = largestPayload;
    }

    void peerReadsShort(boolean reads) { this.dataV = reads; }

    /** How the session layer cuts one of its frames in two, used when the path shrank under frames already queued. */
    void frameSplitter(dev.wanx.transport.FrameLink.FrameSplitter s) { this.splitter = s; }

    /**
     * Writes the frames of packet {@code sp} (already numbered) into {@code plain}, at most {@code room} bytes unless a
     * frame cut for a wider path needs more; true if they ask for an ack. {@code withData}: queued frames may go;
     * {@code needEliciting}: the packet must ask for an ack (a probe, a keepalive).
     */
    boolean fill(ByteBuf plain, SentPacket sp, int room, boolean withData, boolean needEliciting, long now) {
        long ackLargest = -1;
        boolean ackDue = acks.ackDeadlineNs() <= now;
        if (ackDue || !withData) {
            parityIn.writeFilled(plain); // in front of the ACK: the sender still holds those packets in flight when it reads it
            ackLargest = acks.writeAck(plain, now, ACK_RANGES_PER_PACKET);
        }
        boolean eliciting = paths.writeResponse(plain);
        if (withData) {
            room = writeFrames(plain, sp, room);
            eliciting |= !sp.frames.isEmpty();
        }
        if (!ackDue && acks.hasAckToSend()) { // piggyback an ACK that is not yet due only where it fits
            int spare = room - plain.writerIndex() - parityIn.filledSize();
            int fixed = acks.maxAckSize(1);
            if (spare >= fixed) { // (a negative remainder would divide to 0 and "fit" one range: an oversized packet)
                parityIn.writeFilled(plain);
                int fit = (spare - fixed) / (acks.maxAckSize(2) - fixed) + 1;
                ackLargest = acks.writeAck(plain, now, Math.min(fit, ACK_RANGES_PER_PACKET));
            }
        }
        if (needEliciting && !eliciting) {
            Frames.writePing(plain);
            eliciting = true;
        }
        if (!eliciting && ackLargest >= 0 && acks.hasRangesToRetire() && now - lastAckPingNs >= rtt.smoothedNs() / 4) {
            // While holes ride in our ACKs, an ACK-only packet asks to be acked (at most every quarter RTT), so the
            // peer's ack tells us which of our ACKs it has seen and old ranges can go (AckTracker.peerHasUpTo).
            Frames.writePing(plain);
            eliciting = true;
            lastAckPingNs = now;
        }
        if (ackLargest >= 0) {
            acksSent.remember(sp.pn, ackLargest);
        }
        return eliciting;
    }

    /** Queued frames, re-sends first, while they fit; returns the room, grown if a frame too large had to go whole. */
    private int writeFrames(ByteBuf plain, SentPacket sp, int room) {
        while (true) {
            OutFrame f = queue.peek();
            if (f == null) {
                break;
            }
            int size = f.wireSize(dataV);
            if (plain.writerIndex() + size > room) {
                if (!sp.frames.isEmpty()) {
                    break;
                }
                // A frame cut before the path shrank (black hole, migration): in two if the session layer can
                // cut it, else whole in a packet of its size (which the old path carried).
                if (splitter != null && queue.split(f, room - plain.writerIndex() - Frames.DATA_OVERHEAD, splitter)) {
                    continue;
                }
                int largest = largestPayload + (dataV ? PacketHeader.SHORT_SAVING : 0);
                room = Math.min(largest, plain.writerIndex() + size);
                if (plain.writerIndex() + size > room) {
                    break;
                }
            }
            if (queue.take(f)) {
                counters.framesRetransmitted++;
            } else {
                counters.frameBytesSent += f.data.readableBytes();
            }
            Frames.writeData(plain, f.id, f.data, dataV);
            sp.frames.add(f);
        }
        return room;
    }
}
