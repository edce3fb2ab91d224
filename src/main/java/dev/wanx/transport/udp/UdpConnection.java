package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.net.InetSocketAddress;

/**
 * One established connection as a single-threaded state machine: every input carries {@code nowNs}; it
 * never reads a clock or blocks. Output goes through {@link Io}. Sending: session frames queue, are packed
 * into packets (new packet number every time) under the congestion window and the pacer; frames of lost
 * packets are re-sent in new packets ({@link PacketSender}). Receiving: packets are authenticated, deduplicated by
 * packet number, frames deduplicated by frame id ({@link PacketReceiver}). This class builds the parts and ties them
 * together: the peer's hello, the timers (idle, loss, parity trim) and the close.
 */
public final class UdpConnection {
    /** What the connection asks of its surroundings (the Netty link in production, a fake in tests). */
    public interface Io {
        /** Sends a datagram and takes ownership of its buffer. */
        void sendDatagram(ByteBuf datagram, InetSocketAddress to);

        /** Sends a datagram the caller keeps and reuses: its readable bytes are copied before this returns. */
        default void sendDatagramCopy(ByteBuf datagram, InetSocketAddress to) {
            sendDatagram(datagram.copy(), to);
        }

        void flushDatagrams();

        void onFrame(ByteBuf frame);

        void onWritabilityChanged(boolean writable);

        void onClosed(Throwable cause);
    }

    private final long cid;
    private final UdpOptions opts;
    private final Io io;
    private final RttEstimator rtt;
    private final LossDetector loss;
    private final CongestionControl cc;
    private final AckTracker acks;
    private final SendQueue queue = new SendQueue();
    private final PathValidator paths;
    private final ParitySender parityOut;
    private final ParityReceiver parityIn;
    private final PacketWriter out;
    private final PacketFiller filler;
    private final PmtuProber pmtu;
    private final SendFeedback feedback;
    private final PacketSender sender;
    private final PacketReceiver receiver;
    public final ConnectionCounters counters = new ConnectionCounters();

    /** Every this long (at the next timer), a connection that moved few packets frees its parity copies. */
    private static final long TRIM_CHECK_NS = 10_000_000_000L;
    private long trimCheckNs;
    private long receivedAtTrimCheck;
    private long sentAtTrimCheck;
    private long nowNs;
    private boolean closed;

    public UdpConnection(long cid, PacketCipher sealer, PacketCipher opener, UdpOptions opts, InetSocketAddress peer,
                         long initialRttNs, ByteBufAllocator alloc, Io io, long nowNs, long seed) {
        this.cid = cid;
        this.opts = opts;
        this.io = io;
        // The largest DATA datagram this end sends or takes in: buffers are sized to it.
        int maxDatagram = opts.largestDatagram();
        this.rtt = new RttEstimator(initialRttNs);
        long maxAckDelay = opts.maxAckDelayMs() * 1_000_000L;
        this.loss = new LossDetector(rtt, maxAckDelay);
        this.acks = new AckTracker(4096, Math.min(maxAckDelay, initialRttNs / 4), nowNs);
        this.cc = opts.congestionControl().create(opts.maxDatagram(), initialRttNs);
        Pacer pacer = new Pacer(4 * opts.maxDatagram());
        DeliveryRateSampler sampler = new DeliveryRateSampler();
        this.paths = new PathValidator(seed);
        this.trimCheckNs = nowNs;
        this.nowNs = nowNs;
        this.parityOut = new ParitySender(opts.fec(), maxDatagram, cid, rtt, pacer, counters, alloc, io);
        this.out = new PacketWriter(cid, sealer, opts.largestPayload(), maxDatagram, alloc, counters, parityOut, io);
        this.pmtu = new PmtuProber(opts.maxPayload(), loss, out, counters, nowNs);
        this.feedback = new SendFeedback(rtt, loss, cc, sampler, queue, pmtu, parityOut, counters);
        this.parityIn = new ParityReceiver(maxDatagram, TailParity.SLOTS, alloc, counters, acks, new ParityReceiver.Inbound() {
            @Override public boolean receive(ByteBuf packet, InetSocketAddress from, long now) {
                return UdpConnection.this.receive(packet, from, now);
            }

            @Override public long lastPacketNumber() { return receiver.lastPacketNumber(); }
        });
        AckSentLog acksSent = new AckSentLog();
        this.filler = new PacketFiller(acks, acksSent, parityIn, paths, queue, rtt, counters, opts.largestPayload());
        this.sender = new PacketSender(opts, io, counters, loss, cc, pacer, sampler, queue, acks, paths, parityOut, pmtu, out,
                filler, peer, nowNs);
        this.receiver = new PacketReceiver(cid, opener, opts, alloc, io, counters, rtt, acks, acksSent, paths, parityIn,
                feedback, sender, this::terminate, nowNs);
    }

    /** Largest frame for new sends: what fits a packet of the validated path MTU. */
    public int maxFrameSize() { return pathMtu().current() + frameRoomBeyondPayload(); }

    /**
     * What a packet gives a frame beyond the path's payload size (which counts a long header): the SHORT header's
     * saving less the DATA header. The ids are taken a little ahead, since a batch of frames cut at one size gets
     * the ids after the next.
     */
    private int frameRoomBeyondPayload() {
        return out.headerSaving() - Frames.dataOverhead(out.peerReadsShort(), queue.nextFrameId() + 65536);
    }

    /** What the peer's hello says it takes in and reads (see {@link HandshakePacket#writeHello}). */
    public void peerHello(byte[] hello) {
        peerMaxPayload(HandshakePacket.helloMaxPayload(hello));
        peerReadsFilled(HandshakePacket.helloReadsFilled(hello));
        peerKeepsTail(HandshakePacket.helloKeepsTail(hello));
        peerReadsAckV(HandshakePacket.helloReadsAckV(hello));
        peerReadsShort(HandshakePacket.helloReadsShort(hello));
        peerReadsWideRows(HandshakePacket.helloReadsWideRows(hello));
    }

    /** Whether the peer's hello said it takes parity rows above the first three: then groups of 16 get more rows. */
    public void peerReadsWideRows(boolean reads) { parityOut.peerReadsWideRows(reads); }

    /** Whether the peer's hello said it reads SHORT packets and DATA_V frames: then ours take those forms. */
    public void peerReadsShort(boolean reads) {
        out.peerReadsShort(reads);
        filler.peerReadsShort(reads);
    }

    /** Whether the peer's hello said it reads ACK_V: then our ACKs take that shorter form. */
    public void peerReadsAckV(boolean reads) { acks.peerReadsAckV(reads); }

    /** Whether the peer's hello said it reads FILLED frames (an older one would drop the whole packet). */
    public void peerReadsFilled(boolean reads) {
        parityIn.peerReadsFilled(reads);
        parityOut.peerHoldsDeferred(reads); // the same hello bit: an end that reads FILLED keeps Fec.Receiver.SLOTS
    }

    /** Whether the peer's hello said it keeps {@link TailParity#SLOTS} datagrams: then bulk tails get parity. */
    public void peerKeepsTail(boolean keeps) { parityOut.peerKeepsTail(keeps); }

    /**
     * The peer's hello said the largest payload it takes in: probe the path up to that (and our own limit). A peer
     * that says the base (an older one, or probing off) is never sent larger packets.
     */
    public void peerMaxPayload(int peerMax) {
        int top = Math.min(opts.largestPayload(), peerMax);
        pmtu.searchUpTo(top, nowNs);
    }

    /** How the session layer cuts one of its frames in two, used when the path shrank under frames already queued. */
    public void frameSplitter(dev.wanx.transport.FrameLink.FrameSplitter s) { filler.frameSplitter(s); }

    public PathMtu pathMtu() { return pmtu.path(); }

    public boolean isWritable() { return sender.isWritable(); }

    public boolean isClosed() { return closed; }

    public InetSocketAddress peer() { return sender.peer(); }

    public RttEstimator rtt() { return rtt; }

    public CongestionControl congestionControl() { return cc; }

    public long connectionId() { return cid; }

    /** Whether this direction loses enough for parity to pay: unknown counts as lossy (the safe side for latency). */
    boolean fecWanted() { return parityOut.fecWanted(); }

    /** The near-side policy's fec: off stops new parity (a group already started is still closed with its repair). */
    public void setFecAllowed(boolean allowed) { parityOut.setFecAllowed(allowed); }

    /** The loss rate a path history remembers for this path (before this connection has measured its own). */
    public void expectLoss(double loss) { parityOut.expectLoss(loss); }

    /** Rows of parity per group of {@link ParitySender#FEC_GROUP} (see {@link ParityPolicy}). */
    int parityRows() { return parityOut.parityRows(); }

    /** The random loss rate this direction's parity follows. */
    double parityLoss() { return parityOut.parityLoss(); }

    /** Queues one frame (owned from now on). Does not send: call {@link #flush}. */
    public void send(ByteBuf frame) {
        if (closed) {
            frame.release();
            throw new IllegalStateException("udp carrier closed");
        }
        int len = frame.readableBytes();
        int max = opts.largestPayload() + frameRoomBeyondPayload(); // frames cut before the path shrank still go
        if (len == 0 || len > max) {
            frame.release();
            throw new IllegalArgumentException("frame of " + len + " bytes; must be 1.." + max);
        }
        sender.add(frame);
    }

    public void flush(long now) {
        this.nowNs = now;
        sendPackets(now);
    }

    private void sendPackets(long now) {
        if (!closed) {
            sender.sendPackets(now);
        }
    }

    // ---------------------------------------------------------------- receive

    /** One datagram for this connection id (header already known to be a DATA packet of ours); sends what it made due. */
    public void onDatagram(ByteBuf packet, InetSocketAddress from, long now) {
        if (receive(packet, from, now)) {
            sendPackets(now);
        }
    }

    /**
     * Takes in one datagram without sending anything: the caller, having received a batch of datagrams back to back,
     * calls {@link #flush} once at its end (an ACK the policy made due then goes out with it). True if the packet was
     * accepted (authentic, new, well formed): only then may something be due.
     */
    public boolean receive(ByteBuf packet, InetSocketAddress from, long now) {
        this.nowNs = now;
        if (closed) {
            return false;
        }
        return receiver.receive(packet, from, now);
    }

    // ---------------------------------------------------------------- timers

    /** Earliest time {@link #onTimer} needs to run (Long.MAX_VALUE if never). */
    public long nextTimerNs() {
        if (closed) {
            return Long.MAX_VALUE;
        }
        long t = Math.min(acks.ackDeadlineNs(), loss.timerNs());
        t = Math.min(t, sender.timerNs()); // the pacer's wake-up, a keepalive
        t = Math.min(t, parityOut.flushDueNs());
        t = Math.min(t, receiver.lastReceivedNs() + opts.idleTimeoutMs() * 1_000_000L);
        return Math.min(t, paths.timerNs());
    }

    public void onTimer(long now) {
        this.nowNs = now;
        if (closed) {
            return;
        }
        if (now - receiver.lastReceivedNs() >= opts.idleTimeoutMs() * 1_000_000L) {
            terminate(new UdpCarrierException("idle timeout: nothing from " + sender.peer() + " for " + opts.idleTimeoutMs() + " ms"));
            return;
        }
        if (now - trimCheckNs >= TRIM_CHECK_NS) {
            // A quiet connection gives back the datagrams kept for parity (up to ~6 MB a side after a bulk run).
            if (counters.packetsReceived - receivedAtTrimCheck < TailParity.MIN_PACKETS) parityIn.trim();
            if (counters.packetsSent - sentAtTrimCheck < TailParity.MIN_PACKETS) parityOut.trim();
            trimCheckNs = now;
            receivedAtTrimCheck = counters.packetsReceived;
            sentAtTrimCheck = counters.packetsSent;
        }
        if (now >= loss.timerNs()) {
            int probes = feedback.onLossTimer(now);
            if (loss.ptoCount() >= 2 && pathMtu().current() > pathMtu().base()) {
                pathMtu().restart(now); // probe timeouts in a row above the base: maybe a black hole for our size
            }
            if (probes > 0) {
                counters.probes++;
                sender.onProbeTimeout(probes, now);
            }
        }
        sendPackets(now);
    }

    // ---------------------------------------------------------------- close

    /** Graceful close: tells the peer (best effort, once) and frees everything. */
    public void close(String reason, long now) {
        if (closed) {
            return;
        }
        sender.sendClose(reason, now);
        terminate(null);
    }

    private void terminate(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        loss.abandonAll(feedback, nowNs);
        queue.releaseAll();
        parityOut.release();
        out.release();
        io.onClosed(cause);
    }

    public long bytesInFlight() { return loss.bytesInFlight(); }

    /** When the last authenticated packet from the peer arrived (acks included). */
    public long lastReceivedNs() { return receiver.lastReceivedNs(); }

    /** One line of the sender's model, for logs and failing tests. */
    public String debugState() {
        return cc.state() + " " + pathMtu() + " bw=" + cc.bandwidthEstimate() + "B/s cwnd=" + cc.congestionWindow() + " inflight=" + loss.bytesInFlight()
                + " pacing=" + cc.pacingRate() + " srtt=" + rtt.smoothedNs() / 1000 + "us minrtt=" + rtt.minNs() / 1000
                + "us pto#=" + loss.ptoCount() + " pending=" + queue.pendingFrames() + " retxq=" + queue.retransmitFrames()
                + " unacked=" + queue.unackedBytes() + " writable=" + sender.isWritable() + " nextPn=" + out.nextPn() + " largestAcked=" + loss.largestAcked()
                + " peerLargest=" + acks.largest() + " lossTimer=" + loss.timerNs() + " ackDeadline=" + acks.ackDeadlineNs() + " pacerWake=" + sender.pacerWakeNs() + " " + parityOut;
    }

    public double lossRate() {
        long s = loss.sentPackets();
        return s == 0 ? 0 : (double) counters.packetsLost / s;
    }
}
