package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * A connection's receive path: packets are checked, authenticated, deduplicated by packet number, and their frames
 * taken in: DATA deduplicated by frame id (a frame re-sent after a spurious loss is still delivered once) and handed
 * up, ACK and FILLED to the sending side, path frames to migration. A REPAIR goes to the {@link ParityReceiver}, whose
 * rebuilt packets come back in through {@link UdpConnection#receive}.
 */
final class PacketReceiver implements Frames.Visitor {
    private final long cid;
    private final PacketCipher opener;
    private final UdpOptions opts;
    private final ByteBufAllocator alloc;
    private final UdpConnection.Io io;
    private final ConnectionCounters counters;
    /** The largest DATA datagram this end takes in: longer ones are refused unopened. */
    private final int maxDatagram;
    private final RttEstimator rtt;
    private final AckTracker acks;
    private final AckSentLog acksSent;
    private final PathValidator paths;
    private final ParityReceiver parityIn;
    private final SendFeedback feedback;
    private final PacketSender sender;
    /** Ends the connection (a CLOSE from the peer). */
    private final Consumer<Throwable> terminate;
    /** The peer's CLOSE was read: the connection is terminated, and the rest of that packet is ignored. */
    private boolean peerClosed;
    private final PacketHeader header = new PacketHeader();
    private final AckFrame ackScratch = new AckFrame();
    private final RangeSet delivered = new RangeSet(1 << 16);

    private InetSocketAddress currentFrom;
    private long lastReceivedNs;
    private long lastPn = -1;
    /** The time of the packet being decoded, for what its frames act on. */
    private long nowNs;
    private boolean elicitingSeen;

    PacketReceiver(long cid, PacketCipher opener, UdpOptions opts, ByteBufAllocator alloc, UdpConnection.Io io,
                   ConnectionCounters counters, RttEstimator rtt, AckTracker acks, AckSentLog acksSent, PathValidator paths,
                   ParityReceiver parityIn, SendFeedback feedback, PacketSender sender, Consumer<Throwable> terminate,
                   long now) {
        this.cid = cid;
        this.opener = opener;
        this.opts = opts;
        this.alloc = alloc;
        this.io = io;
        this.counters = counters;
        this.maxDatagram = opts.largestDatagram();
        this.rtt = rtt;
        this.acks = acks;
        this.acksSent = acksSent;
        this.paths = paths;
        this.parityIn = parityIn;
        this.feedback = feedback;
        this.sender = sender;
        this.terminate = terminate;
        this.lastReceivedNs = now;
        this.nowNs = now;
    }

    /** The packet number of the last authentic packet taken in (a SHORT header's expanded). */
    long lastPacketNumber() { return lastPn; }

    /** When the last authenticated packet from the peer arrived (acks included). */
    long lastReceivedNs() { return lastReceivedNs; }

    /** Takes in one datagram of an open connection; true if it was accepted (authentic, new, well formed). */
    boolean receive(ByteBuf packet, InetSocketAddress from, long now) {
        this.nowNs = now;
        int n = packet.readableBytes();
        if (header.wrap(packet) && header.type() == PacketHeader.TYPE_REPAIR && header.connectionId() == cid) {
            return parityIn.onRepair(packet, from, now);
        }
        if (!header.wrap(packet) || !header.isData() || header.connectionId() != cid
                || n < header.length() + PacketCipher.TAG + 1 || n > maxDatagram) {
            counters.malformedPackets++;
            return false;
        }
        int headerLength = header.length();
        long pn = header.packetNumber(acks.largest());
        if (pn < 0 || acks.isDuplicate(pn)) {
            counters.duplicatePackets++;
            return false;
        }
        if (!delivered.hasRoom((opts.largestPayload() + PacketHeader.SHORT_SAVING) / (Frames.DATA_V_OVERHEAD + 1) + 1)) {
            return false; // too many holes in frame ids to track; not acked, so the peer will re-send
        }
        int start = packet.readerIndex();
        ByteBuf aad = packet.slice(start, headerLength);
        ByteBuf ct = packet.slice(start + headerLength, n - headerLength);
        ByteBuf pt = alloc.buffer(n - headerLength - PacketCipher.TAG);
        try {
            if (!opener.open(pn, aad, ct, pt)) {
                counters.forgedPackets++;
                return false;
            }
            lastReceivedNs = now;
            lastPn = pn;
            parityIn.store(packet.slice(start, n), pn);
            counters.packetsReceived++;
            counters.wireBytesReceived += n;
            elicitingSeen = false;
            currentFrom = from;
            if (!Frames.decode(pt, ackScratch, this)) {
                counters.malformedPackets++; // authentic but unparseable: a peer bug; drop, do not ack
                return false;
            }
            if (peerClosed) {
                return true; // the connection is gone: nothing to ack, and no path to validate (its buffers are freed)
            }
            acks.onPacket(pn, elicitingSeen, now);
            if (!from.equals(sender.peer()) && pn == acks.largest() && paths.onNewAddress(from, now)) {
                sender.sendPathChallenge(now);
            }
        } finally {
            pt.release();
        }
        return true;
    }

    @Override
    public void onPing() { elicitingSeen = true; }

    @Override
    public void onFilled(long pn) {
        if (!peerClosed) feedback.onFilled(pn);
    }

    @Override
    public void onData(long frameId, ByteBuf data) {
        if (peerClosed) return; // frames after a CLOSE in the same packet: the connection is already closed
        elicitingSeen = true;
        if (!delivered.add(frameId)) {
            counters.duplicateFrames++;
            return;
        }
        counters.frameBytesReceived += data.readableBytes();
        io.onFrame(data.retainedSlice()); // zero-copy: shares the packet's plaintext buffer
    }

    @Override
    public void onAck(AckFrame ack) {
        if (peerClosed) return;
        long rttBefore = rtt.hasSample() ? rtt.latestNs() : -1;
        feedback.onAck(ack, nowNs);
        acksSent.confirm(ack, acks);
        if (rttBefore != rtt.latestNs()) {
            acks.maxAckDelayNs(Math.min(opts.maxAckDelayMs() * 1_000_000L, Math.max(rtt.smoothedNs() / 4, 1_000_000L)));
        }
        sender.updateWritability();
    }

    @Override
    public void onClose(int code, String reason) {
        if (peerClosed) return;
        peerClosed = true;
        terminate.accept(new UdpCarrierException("peer closed the connection: " + reason));
    }

    @Override
    public void onPathChallenge(long token) {
        if (peerClosed) return;
        elicitingSeen = true;
        paths.onChallenge(token);
    }

    @Override
    public void onPathResponse(long token) {
        if (peerClosed) return;
        elicitingSeen = true;
        InetSocketAddress validated = paths.onResponse(token, currentFrom);
        if (validated != null) {
            sender.migrate(validated, nowNs);
        }
    }
}
