package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * The sending side of FEC: which packets parity protects (a burst's start and its tail), how many rows each group
 * gets ({@link ParityPolicy}, fed with every loss judged random or congestion), and sending those REPAIR packets.
 * To a peer that keeps {@link Fec.Receiver#SLOTS} packets, repairs wait until the burst's data is out (or
 * {@link #DEFER_GROUPS} groups are held) and then go row 0 of every group first: parity sent between data packets
 * delays the last of them, and so every short response, by the parity's link time (~3 ms for 100 KB at 100 Mbit/s
 * with 3 rows per 8), lost packet or not.
 */
final class ParitySender {
    /** Packets of a burst protected by FEC: a short response whole, a bulk transfer only its start and tail. */
    static final int FEC_GROUP = 8;
    static final long FEC_BURST_BYTES = 256 << 10;
    private final Fec.Sender fecOut; // null: FEC off in the options
    private final ParityPolicy parity = new ParityPolicy();
    private final long cid;
    private final RttEstimator rtt;
    private final Pacer pacer;
    private final ConnectionCounters counters;
    private final ByteBufAllocator alloc;
    private final UdpConnection.Io io;
    private long burstBytes;
    private boolean protectNext;
    private boolean fecAllowed = true;
    private long lastLostPn = -2;
    /** Groups whose repairs wait for the burst's end (at most this many: 8 groups of 16 stay within the peer's slots). */
    static final int DEFER_GROUPS = 8;
    /** Each held group's rows, oldest group first. */
    private final ArrayDeque<ByteBuf[]> held = new ArrayDeque<>();
    private int deferGroups;
    /** Parity for a bulk run's last round trip, to a peer that keeps enough datagrams (null: FEC off or an older peer). */
    private TailParity tail;
    private final int maxDatagram;
    private long lastSealedPn = -1;
    /** Whether the packet {@link #beforeSeal} saw carries frames to deliver (not just ACKs or a PING). */
    private boolean carriesData;

    ParitySender(boolean fec, int maxDatagram, long cid, RttEstimator rtt, Pacer pacer, ConnectionCounters counters,
                 ByteBufAllocator alloc, UdpConnection.Io io) {
        this.fecOut = fec ? new Fec.Sender(FEC_GROUP, maxDatagram) : null;
        this.maxDatagram = maxDatagram;
        this.cid = cid;
        this.rtt = rtt;
        this.pacer = pacer;
        this.counters = counters;
        this.alloc = alloc;
        this.io = io;
    }

    /** The sender ran out of data: whatever comes next starts a new burst, its first packets get FEC. */
    void newBurst() { burstBytes = 0; }

    /**
     * A packet was built and logged as sent, not yet sealed: marks whether it went behind a queue, counts it for the
     * policy, and decides whether it joins the group.
     */
    void beforeSeal(SentPacket sp) {
        sp.behindQueue = aboveMinRtt(rtt.latestAdjustedNs());
        if (sp.ackEliciting) {
            parity.onSent(sp.behindQueue);
        }
        carriesData = sp.ackEliciting && !sp.frames.isEmpty();
        protectNext = fecOut != null && fecAllowed && !sp.frames.isEmpty() && burstBytes < FEC_BURST_BYTES && fecWanted();
        if (protectNext && fecOut.pending() && !fecOut.continues(sp.pn)) {
            closeGroup(); // a packet number went to an unprotected packet (an ACK): the group ends here, not dropped
        }
        if (protectNext && !fecOut.pending()) {
            fecOut.groupSize(deferGroups > 0 ? parity.groupSize() : FEC_GROUP);
        }
    }

    /** The packet {@link #beforeSeal} saw, sealed as {@code pn}: held for the group's parity if protected. */
    void onSealed(ByteBuf datagram, long pn) {
        lastSealedPn = pn;
        if (protectNext) fecOut.onSealed(datagram, pn);
        if (tail != null) tail.onSealed(datagram, pn, protectNext || !carriesData); // an ACK-only packet needs none
    }

    /** The packet went out: a full group, or the end of the protected start of a run, sends its parity. */
    void afterSeal(SentPacket sp, InetSocketAddress peer, long now) {
        if (fecOut != null && sp.ackEliciting) {
            if (protectNext) {
                protectNext = false;
                idleSinceNs = -1;
                if (fecOut.full()) closeGroup();
                sendHeld(peer, now, deferGroups);
            } else if (!sp.frames.isEmpty() && (fecOut.pending() || !held.isEmpty())) {
                endOfRun(peer, now); // leaving the protected start of a bulk run (a lone PING changes nothing)
            }
            burstBytes += sp.bytes;
        }
    }

    /**
     * Parity waits this long after the send queue ran dry before it goes: a response reaches the queue in pieces (the
     * codec's batches, lab: up to ~1.3 ms apart), and parity sent at each gap lands between its data packets again.
     */
    static final long IDLE_FLUSH_NS = 1_000_000L;
    private long idleSinceNs = -1;

    /** The send queue is empty: parity waiting goes once it has stayed empty {@link #IDLE_FLUSH_NS} (at once to an older peer). */
    void onIdle(InetSocketAddress peer, long now) {
        if (!regularWaits()) {
            idleSinceNs = -1;
            return;
        }
        if (idleSinceNs < 0) idleSinceNs = now;
        if (deferGroups == 0 || now - idleSinceNs >= IDLE_FLUSH_NS) endOfRun(peer, now);
    }

    private boolean regularWaits() { return fecOut != null && (fecOut.pending() || !held.isEmpty()); }

    /** When the sender last ran out of new data (re-sends may still go), -1 while it has some. */
    private long noNewSinceNs = -1;

    /**
     * No new data is queued (re-sends may be): once that has lasted {@link #tailDelayNs}, a bulk run's tail parity is
     * planned over the packets from {@code oldestInFlight} on.
     */
    void onNoNewData(long now, long oldestInFlight) {
        if (!tailArmed(oldestInFlight)) {
            noNewSinceNs = -1;
            return;
        }
        if (noNewSinceNs < 0) noNewSinceNs = now;
        if (now - noNewSinceNs >= tailDelayNs()) {
            // At most three rows: a tail spans a round trip of a bulk run (~850 packets at 100 Mbit/s, 100 ms), so
            // each row costs a lot, and a group it fails costs the run one round trip, not every short response one.
            tail.plan(oldestInFlight, lastSealedPn, Math.min(parityRows(), Fec.NARROW_ROWS), now);
            noNewSinceNs = -1;
        }
    }

    /** New data is queued: the run goes on. */
    void onNewData() { noNewSinceNs = -1; }

    /**
     * How long the sender is out of new data before a tail plan: an eighth of a round trip. A run whose source pauses
     * for a moment (a busy host between reads) goes on, and a plan at every such gap put parity on much of the run
     * (lab, 100 ms, 3 %: wire / delivered 1.14 before tail parity, 1.16-1.17 with a 1 ms wait). Repairs sent an eighth
     * of a round trip late still beat the re-sends, which leave a round trip after the losses.
     */
    private long tailDelayNs() { return Math.max(IDLE_FLUSH_NS, rtt.smoothedNs() / 8); }

    /** Whether a tail plan would cover enough packets in flight (parity wanted, a peer that keeps them). */
    private boolean tailArmed(long oldestInFlight) {
        return tail != null && fecAllowed && oldestInFlight >= 0 && fecWanted()
                && tail.uncovered(oldestInFlight, lastSealedPn) >= TailParity.MIN_PACKETS;
    }

    /** Whether a planned tail repair is waiting for the pacer. */
    boolean tailDue(long now) { return tail != null && tail.pending(now, rtt.smoothedNs()); }

    /** Sends the next planned tail repair, if it is at most {@code maxRepair} bytes (what the path carries). */
    void sendTail(InetSocketAddress peer, long now, int maxRepair) {
        ByteBuf r = tail.next(alloc, maxRepair);
        if (r != null) {
            counters.fecTailRepairsSent++;
            send(r, peer, now);
        }
    }

    /** The peer keeps {@link TailParity#SLOTS} datagrams (its hello said so): the tails of bulk runs get parity. */
    void peerKeepsTail(boolean keeps) {
        tail = keeps && fecOut != null ? new TailParity(maxDatagram, cid) : null;
    }

    /** Nothing sent for a long while: the tail's copies are of no use any more, their memory goes. */
    void trim() { if (tail != null) tail.trim(); }

    /** The send queue holds data again: the idle clock stops (the data's own packets end the wait or join the group). */
    void onBusy() { idleSinceNs = -1; }

    /** When {@link #onIdle} next has parity to send (Long.MAX_VALUE if none waits). */
    long flushDueNs() {
        long regular = idleSinceNs < 0 ? Long.MAX_VALUE : idleSinceNs + IDLE_FLUSH_NS;
        return Math.min(regular, noNewSinceNs < 0 ? Long.MAX_VALUE : noNewSinceNs + tailDelayNs());
    }

    /** Nothing the window lets go for a round trip, or the end of a burst: every parity row waiting goes now. */
    void endOfRun(InetSocketAddress peer, long now) {
        idleSinceNs = -1;
        if (fecOut != null && (fecOut.pending() || !held.isEmpty())) {
            closeGroup(); // the tail of a burst: a lost last packet would otherwise wait for a probe timeout
            // Row 0 of every group first, then row 1...: one loss anywhere is rebuilt after a few repairs, not after
            // every earlier group's rows (lab: a loss in a response's first group waited ~3 ms of others' rows).
            ByteBuf[][] groups = held.toArray(new ByteBuf[0][]);
            held.clear();
            for (int row = 0; row < Fec.MAX_ROWS; row++) {
                for (ByteBuf[] g : groups) {
                    if (row < g.length) send(g[row], peer, now);
                }
            }
        }
    }

    /** The peer takes rows above {@link Fec#NARROW_ROWS} - 1 (its hello said so): groups of 16 get more rows. */
    void peerReadsWideRows(boolean reads) {
        wideRows = reads;
        applyWideRows();
    }

    private boolean wideRows;

    /** Wide rows go over groups of 16, which only a peer that holds deferred groups gets (one that takes them does). */
    private void applyWideRows() { parity.wideRows(wideRows && deferGroups > 0); }

    /** The peer keeps enough packets for repairs to wait for the end of a burst (its hello said so). */
    void peerHoldsDeferred(boolean holds) {
        this.deferGroups = holds ? DEFER_GROUPS : 0;
        applyWideRows();
    }

    /** The current group's rows join the held ones (none if no group is open); {@link #sendHeld} sends them. */
    private void closeGroup() {
        if (!fecOut.pending()) return;
        ByteBuf[] rows = new ByteBuf[parity.rows(fecOut.size())];
        for (int row = 0; row < rows.length; row++) {
            rows[row] = fecOut.repair(alloc, cid, row);
        }
        fecOut.reset();
        held.add(rows);
    }

    /** Sends the oldest held groups' rows until at most {@code keep} groups wait. */
    private void sendHeld(InetSocketAddress peer, long now, int keep) {
        while (held.size() > keep) {
            for (ByteBuf r : held.poll()) send(r, peer, now);
        }
    }

    private void send(ByteBuf repair, InetSocketAddress peer, long now) {
        counters.fecRepairsSent++;
        counters.wireBytesSent += repair.readableBytes();
        pacer.onSent(now, repair.readableBytes());
        io.sendDatagram(repair, peer);
    }

    /** The connection ended: repairs still held are dropped. */
    void release() {
        for (ByteBuf[] g; (g = held.poll()) != null; ) {
            for (ByteBuf r : g) r.release();
        }
    }

    /**
     * Random or congestion? A loss while the latest RTT sits above the path's minimum (a queue at the bottleneck), or
     * next to another lost packet (a drop-tail overflow drops runs), is congestion: the rate model answers the queue.
     * An isolated one without a queue is random loss: only parity helps there, so only it counts towards parity.
     */
    boolean countLoss(SentPacket p) {
        boolean run = p.pn == lastLostPn + 1;
        lastLostPn = p.pn;
        boolean random = !run && !aboveMinRtt(rtt.latestNs());
        parity.onLost(random, !p.behindQueue && !run && !aboveMinRtt(rtt.latestAdjustedNs()));
        return random;
    }

    /**
     * An RTT sample standing above the path's minimum (by a tenth, at least 3 ms): a queue at the bottleneck. Loss
     * classification reads the raw latest sample; the quiet-time rate reads it less the peer's ack delay.
     */
    private boolean aboveMinRtt(long rttNs) {
        long min = rtt.minNs();
        return rttNs > min + Math.max(min / 10, 3_000_000L);
    }

    /** Whether this direction loses enough for parity to pay: unknown counts as lossy (the safe side for latency). */
    boolean fecWanted() { return parity.wanted(); }

    /** The near-side policy's fec: off stops new parity (a group already started is still closed with its repair). */
    void setFecAllowed(boolean allowed) { this.fecAllowed = allowed; }

    /** The loss rate a path history remembers for this path (before this connection has measured its own). */
    void expectLoss(double loss) { parity.expectLoss(loss); }

    /** Rows of parity per group of {@link #FEC_GROUP} (see {@link ParityPolicy}). */
    int parityRows() { return parity.rows(); }

    /** The random loss rate this direction's parity follows. */
    double parityLoss() { return parity.randomLoss(); }

    /** For the sender's debug line: the policy's rows and loss rates. */
    @Override public String toString() { return parity.toString(); }
}
