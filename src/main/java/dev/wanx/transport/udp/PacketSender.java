package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;

/**
 * A connection's sending: queued frames packed into packets under the congestion window and the pacer, with the ACKs,
 * probes and keepalives due and the parity that follows them; path challenges and the CLOSE in packets of their own;
 * the address the peer is at; and whether the send queue takes more (writability).
 */
final class PacketSender {
    private final UdpOptions opts;
    private final UdpConnection.Io io;
    private final ConnectionCounters counters;
    private final LossDetector loss;
    private final CongestionControl cc;
    private final Pacer pacer;
    private final DeliveryRateSampler sampler;
    private final SendQueue queue;
    private final AckTracker acks;
    private final PathValidator paths;
    private final ParitySender parityOut;
    private final PmtuProber pmtu;
    private final PacketWriter out;
    private final PacketFiller filler;

    private InetSocketAddress peer;
    private boolean writable = true;
    private int probesDue;
    private long pacerWakeNs = Long.MAX_VALUE;
    private long lastElicitingSentNs;

    PacketSender(UdpOptions opts, UdpConnection.Io io, ConnectionCounters counters, LossDetector loss, CongestionControl cc,
                 Pacer pacer, DeliveryRateSampler sampler, SendQueue queue, AckTracker acks, PathValidator paths,
                 ParitySender parityOut, PmtuProber pmtu, PacketWriter out, PacketFiller filler, InetSocketAddress peer,
                 long now) {
        this.opts = opts;
        this.io = io;
        this.counters = counters;
        this.loss = loss;
        this.cc = cc;
        this.pacer = pacer;
        this.sampler = sampler;
        this.queue = queue;
        this.acks = acks;
        this.paths = paths;
        this.parityOut = parityOut;
        this.pmtu = pmtu;
        this.out = out;
        this.filler = filler;
        this.peer = peer;
        this.lastElicitingSentNs = now;
    }

    InetSocketAddress peer() { return peer; }

    boolean isWritable() { return writable; }

    long pacerWakeNs() { return pacerWakeNs; }

    /** The peer answered our challenge from a new address: packets go there from now on. */
    void migrate(InetSocketAddress to, long now) {
        peer = to;
        counters.migrations++;
        pmtu.path().restart(now); // a new path: its MTU is unknown
    }

    /** Queues one frame (owned from now on), already checked by the connection. */
    void add(ByteBuf frame) {
        queue.add(frame);
        updateWritability();
    }

    void updateWritability() {
        boolean w = writable
                ? queue.pendingBytes() <= opts.sendQueueHighWater() && queue.unackedBytes() <= opts.memoryBudget()
                : queue.pendingBytes() <= opts.sendQueueHighWater() / 2 && queue.unackedBytes() <= opts.memoryBudget() * 3 / 4;
        if (w != writable) {
            writable = w;
            io.onWritabilityChanged(w);
        }
    }

    /** Earliest time the pacer or a keepalive needs {@link #sendPackets} (Long.MAX_VALUE if never). */
    long timerNs() {
        long t = pacerWakeNs;
        if (loss.bytesInFlight() == 0) {
            t = Math.min(t, lastElicitingSentNs + opts.keepaliveMs() * 1_000_000L);
        }
        return t;
    }

    /** The loss timer asked for {@code probes} probe packets: they go at the next {@link #sendPackets}. */
    void onProbeTimeout(int probes, long now) {
        probesDue = probes;
        sampler.onProbeTimeout(now);
        queueProbeFrames();
    }

    /** On PTO, re-send the oldest unacked frames (without calling their packet lost) so a lost tail is repaired. */
    private void queueProbeFrames() {
        SentPacket oldest = loss.oldestInFlight();
        if (oldest == null) {
            return;
        }
        for (int i = oldest.frames.size() - 1; i >= 0; i--) {
            queue.probe(oldest.frames.get(i));
        }
    }

    private int datagramSize() { return PacketHeader.LENGTH + pmtu.path().current() + PacketCipher.TAG; }

    private boolean hasFrames() { return !queue.isEmpty(); }

    /** Sends whatever is due now and the window and the pacer let go (the connection is open). */
    void sendPackets(long now) {
        if (paths.retryDue(now)) {
            sendPathChallenge(now);
        }
        pacerWakeNs = Long.MAX_VALUE;
        boolean keepalive = now - lastElicitingSentNs >= opts.keepaliveMs() * 1_000_000L && loss.bytesInFlight() == 0;
        // Less than a packet of new data and no re-sends: whatever goes now cannot fill the pipe, so its
        // delivery rate says nothing about the path (checked before sending, so these packets carry the mark).
        int datagram = datagramSize();
        if (queue.pendingBytes() < datagram && queue.retransmitFrames() == 0 && loss.bytesInFlight() < cc.congestionWindow()) {
            sampler.onAppLimited(loss.bytesInFlight());
            parityOut.newBurst();
        }
        while (true) {
            boolean ackDue = acks.ackDeadlineNs() <= now;
            boolean probe = probesDue > 0;
            boolean data = hasFrames();
            if (data && !probe) {
                if (loss.bytesInFlight() + datagram > cc.congestionWindow()) {
                    data = false; // an ack will reopen the window
                } else {
                    pacer.setRate(cc.pacingRate());
                    long d = pacer.delayNs(now, datagram);
                    if (d > 0) {
                        pacerWakeNs = now + d;
                        data = false;
                    }
                }
            }
            if (!ackDue && !probe && !data && !paths.responsePending() && !keepalive) {
                break;
            }
            sendOne(now, data || probe, probe || keepalive);
            keepalive = false;
            if (probe) {
                probesDue--;
            }
        }
        if (!hasFrames() || !queue.hasNew() && loss.bytesInFlight() < cc.congestionWindow() / 2) {
            sampler.onAppLimited(loss.bytesInFlight());
        }
        if (queue.hasNew()) {
            parityOut.onNewData();
        } else {
            SentPacket oldest = loss.oldestInFlight();
            parityOut.onNoNewData(now, oldest == null ? -1 : oldest.pn);
            sendTailRepairs(now); // after whatever the window and the pacer let go: re-sends waiting on the window do not hold them
        }
        if (!hasFrames()) {
            parityOut.onIdle(peer, now);
        } else if (loss.bytesInFlight() + datagram > cc.congestionWindow()) {
            parityOut.endOfRun(peer, now); // the window holds the rest back a round trip: the parity goes now
        } else {
            parityOut.onBusy(); // more data waits on the pacer: no idle clock runs
        }
        pmtu.sendDue(peer, now);
        io.flushDatagrams();
        updateWritability();
    }

    /** A bulk run's tail parity, paced like data, once no new data waits (what can go goes first; late repairs are dropped). */
    private void sendTailRepairs(long now) {
        while (parityOut.tailDue(now)) {
            pacer.setRate(cc.pacingRate());
            long d = pacer.delayNs(now, datagramSize());
            if (d > 0) {
                pacerWakeNs = Math.min(pacerWakeNs, now + d);
                return;
            }
            parityOut.sendTail(peer, now, datagramSize() + Fec.REPAIR_FIXED); // the path's current size leaves that room
        }
    }

    private void sendOne(long now, boolean withData, boolean needEliciting) {
        ByteBuf plain = out.begin();
        SentPacket sp = loss.newPacket();
        sp.pn = out.nextPn();
        // The path's size counts a long header: a SHORT one leaves its saving to the frames.
        boolean eliciting = filler.fill(plain, sp, pmtu.path().current() + out.headerSaving(), withData, needEliciting, now);
        sp.ackEliciting = eliciting;
        sp.backlogged = eliciting && (queue.pendingBytes() > 0 || queue.retransmitFrames() > 0);
        sp.bytes = out.wireSize();
        if (eliciting) {
            sampler.onPacketSent(sp, now, loss.bytesInFlight());
            cc.onPacketSent(now, sp.bytes, loss.bytesInFlight());
            pacer.onSent(now, sp.bytes);
            lastElicitingSentNs = now;
        }
        loss.onSent(sp, now);
        parityOut.beforeSeal(sp);
        out.seal(peer, false);
        parityOut.afterSeal(sp, peer, now);
    }

    /** A challenge to the address the newest packets come from (a PATH_RESPONSE from there moves the peer). */
    void sendPathChallenge(long now) {
        InetSocketAddress to = paths.writeChallenge(out.begin(), now);
        finishControlPacket(to, now);
    }

    /** Tells the peer we close (best effort, once: not re-sent). */
    void sendClose(String reason, long now) {
        Frames.writeClose(out.begin(), 0, reason == null ? "" : reason);
        finishControlPacket(peer, now);
    }

    /** A packet carrying only path frames, sent to a given address, not tracked for loss (retried on its own timer). */
    private void finishControlPacket(InetSocketAddress to, long now) {
        SentPacket sp = loss.newPacket(); // keeps packet numbers dense in the sent log
        sp.pn = out.nextPn();
        sp.bytes = out.wireSize();
        loss.onSent(sp, now);
        out.seal(to, false);
        io.flushDatagrams();
    }
}
