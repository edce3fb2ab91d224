package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Parity for the last round trip of a bulk run. A loss among the packets still in flight when the sender runs out of
 * data is otherwise re-sent only once an ACK shows it: the transfer ends a round trip after its last packet (at
 * 250 ms that is 7 % of 32 MiB at 100 Mbit/s). The burst-start parity ({@link ParitySender}) cannot cover them: it is
 * decided as each packet is sealed, when nobody knows which packets will be the last. So this keeps a copy of every
 * sealed DATA datagram in a ring of {@link #SLOTS} (allocated as used), and when the run ends it plans groups of
 * {@link Fec#MAX_GROUP} over the packets sent since the oldest one still in flight, and computes each group's rows
 * only as the pacer lets them go (a row costs ~16 datagrams of GF(256) work). The receiver keeps as many datagrams
 * ({@link Fec.Receiver}), which its hello promises with {@link HandshakePacket#KEEPS_TAIL}.
 * The REPAIRs are ordinary ones: row 0 of every group first, newest group first, then row 1, and so on.
 */
final class TailParity {
    /** Datagrams kept on each side: a round trip of 100 Mbit/s at 500 ms, or 200 Mbit/s at 250 ms. */
    static final int SLOTS = 4096;
    /** Fewer unprotected packets in flight than this: a short tail, re-sent at no great cost. */
    static final int MIN_PACKETS = 32;
    /** A planned repair that has not gone out within this many RTTs is late: its group was acked or re-sent by then. */
    private static final int STALE_RTTS = 1;

    private final long cid;
    private final DatagramRing kept;
    /** Planned groups: [first, count]; rows go in order row-major (every group's row 0 first). */
    private long[] groupFirst = new long[0];
    private int[] groupCount = new int[0];
    private int groups;
    private int rows;
    private int nextRepair; // index over rows × groups
    private long plannedAtNs;
    /** Packets at or below this are covered by an earlier plan. */
    private long plannedUpTo = -1;
    /** Packets sealed since the last plan that no burst-start group protects. */
    private long unprotectedSincePlan;

    TailParity(int maxDatagram, long cid) {
        this.cid = cid;
        this.kept = new DatagramRing(SLOTS, maxDatagram); // a path-MTU probe, longer, is not kept: it ends a group
    }

    /**
     * A DATA datagram was sealed with packet number {@code pn}: keep a copy (bytes readerIndex..writerIndex).
     * {@code needsNone}: a burst-start group protects it already, or it carries no data (an ACK).
     */
    void onSealed(ByteBuf datagram, long pn, boolean needsNone) {
        if (!needsNone) unprotectedSincePlan++;
        kept.put(datagram, pn);
    }

    /** Packets in flight up to {@code newest} that neither a plan nor a burst-start group covers (at most). */
    long uncovered(long oldestInFlight, long newest) {
        return Math.min(newest - Math.max(oldestInFlight, plannedUpTo + 1) + 1, unprotectedSincePlan);
    }

    /** Frees the copies (the sender has been quiet for long: no repair will be planned over them). */
    void trim() {
        nextRepair = groups * rows; // a plan still going is dropped with them
        unprotectedSincePlan = 0;
        kept.clear();
    }

    /**
     * The run ended: plans {@code rowsPerGroup} rows for each group of the packets from {@code oldestInFlight} (or
     * after the last plan) to {@code newest}, burst-start members included (groups must be consecutive). Returns the
     * number of repairs planned (0: fewer than {@link #MIN_PACKETS} unprotected, or none kept). A plan still going is
     * replaced.
     */
    int plan(long oldestInFlight, long newest, int rowsPerGroup, long nowNs) {
        long from = Math.max(Math.max(oldestInFlight, plannedUpTo + 1), newest - SLOTS + 1 + Fec.MAX_GROUP);
        if (oldestInFlight < 0 || uncovered(oldestInFlight, newest) < MIN_PACKETS || rowsPerGroup < 1) {
            return 0;
        }
        groups = 0;
        // Newest group first, each a run of kept consecutive packets; a packet not kept (a probe) ends a group.
        long end = newest;
        while (end >= from) {
            if (!kept.has(end)) {
                end--;
                continue;
            }
            long first = end;
            while (first > from && end - first + 1 < Fec.MAX_GROUP && kept.has(first - 1)) first--;
            if (groups == groupFirst.length) { // packets not kept (probes) split groups: no fixed bound but the span
                groupFirst = java.util.Arrays.copyOf(groupFirst, Math.max(16, 2 * groups));
                groupCount = java.util.Arrays.copyOf(groupCount, groupFirst.length);
            }
            groupFirst[groups] = first;
            groupCount[groups++] = (int) (end - first + 1);
            end = first - 1;
        }
        rows = Math.min(rowsPerGroup, Fec.MAX_ROWS);
        nextRepair = 0;
        plannedAtNs = nowNs;
        plannedUpTo = newest;
        unprotectedSincePlan = 0;
        return groups * rows;
    }

    /** Whether a planned repair waits to go (and is not stale: {@code rttNs} after the plan nothing is left). */
    boolean pending(long nowNs, long rttNs) {
        if (nextRepair < groups * rows && nowNs - plannedAtNs > STALE_RTTS * rttNs) {
            nextRepair = groups * rows; // the acks (or the re-sends) of these packets are out by now
        }
        return nextRepair < groups * rows;
    }

    /**
     * The next planned REPAIR, computed now; null if none is left. Skipped: groups no longer kept, and groups whose
     * REPAIR would be longer than {@code maxRepair} (members sent at a size the path was since found not to carry).
     */
    ByteBuf next(ByteBufAllocator alloc, int maxRepair) {
        while (nextRepair < groups * rows) {
            int i = nextRepair++;
            int row = i / groups;
            int g = i % groups;
            ByteBuf r = repair(alloc, groupFirst[g], groupCount[g], row, maxRepair);
            if (r != null) return r;
        }
        return null;
    }

    private ByteBuf repair(ByteBufAllocator alloc, long first, int count, int row, int maxRepair) {
        int maxLen = 0;
        for (long pn = first; pn < first + count; pn++) {
            if (!kept.has(pn)) return null; // overwritten since the plan: a newer run is far ahead
            maxLen = Math.max(maxLen, kept.length(pn));
        }
        if (Fec.REPAIR_FIXED + maxLen > maxRepair) return null;
        return Fec.encodeRepair(alloc, cid, first, count, row, maxLen, j -> kept.data(first + j), j -> kept.length(first + j));
    }
}
