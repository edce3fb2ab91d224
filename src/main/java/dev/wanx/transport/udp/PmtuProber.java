package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;

/**
 * A connection's path-MTU discovery: the search ({@link PathMtu}), sending the probes it asks for, and telling it
 * each probe's fate, its loss judged only once the losses around it are known.
 */
final class PmtuProber {
    private final int base;
    private final LossDetector loss;
    private final PacketWriter out;
    private final ConnectionCounters counters;
    private PathMtu path;
    private long probeLostPn = -1;
    private long lostBeforeProbe;

    PmtuProber(int base, LossDetector loss, PacketWriter out, ConnectionCounters counters, long now) {
        this.base = base;
        this.loss = loss;
        this.out = out;
        this.counters = counters;
        this.path = new PathMtu(base, base, now); // probing starts once the peer's hello said how far
    }

    PathMtu path() { return path; }

    /** The peer takes payloads up to {@code top}: search up to there (not at all if that is the base). */
    void searchUpTo(int top, long now) {
        if (top > path.base()) path = new PathMtu(base, top, now);
    }

    /** True if {@code p} was a probe (then the acked size is taken; the caller leaves it out of everything else). */
    boolean onAcked(SentPacket p) {
        if (!path.isProbe(p.pn)) return false;
        path.onProbeAcked(p.pn);
        return true;
    }

    /** True if {@code p} was a probe; its loss is judged by {@link #settleProbeLoss}. */
    boolean onLost(SentPacket p) {
        if (!path.isProbe(p.pn)) return false;
        probeLostPn = p.pn; // judged once this ack's or timeout's losses are all known (settleProbeLoss)
        return true;
    }

    /** A lost probe counts against its size only if nothing else was lost since it went out (then: a queue overflowed). */
    void settleProbeLoss(long now) {
        if (probeLostPn >= 0) {
            path.onProbeLost(probeLostPn, now, counters.packetsLost == lostBeforeProbe);
            probeLostPn = -1;
        }
    }

    /** Sends the probe the search asks for now, if any. */
    void sendDue(InetSocketAddress peer, long now) {
        int probeSize = loss.largestAcked() >= 0 ? path.probeDue(now) : 0; // once the peer has answered at all
        if (probeSize > 0) {
            sendPmtuProbe(probeSize, peer, now);
        }
    }

    /**
     * A PING padded to {@code size}, sent on its own (outside the congestion window and the GSO batch: a probe too
     * large for the local interface must fail alone). Tracked for loss so the search hears of it, but its loss or
     * ack never reaches the controller.
     */
    private void sendPmtuProbe(int size, InetSocketAddress peer, long now) {
        ByteBuf plain = out.begin();
        Frames.writePing(plain);
        Frames.writePadding(plain, size + out.headerSaving() - plain.writerIndex()); // the datagram the size means
        SentPacket sp = loss.newPacket();
        sp.pn = out.nextPn();
        sp.ackEliciting = true;
        sp.bytes = out.wireSize();
        loss.onSent(sp, now);
        path.onProbeSent(sp.pn, size);
        lostBeforeProbe = counters.packetsLost;
        counters.pmtuProbes++;
        out.seal(peer, true);
    }
}
