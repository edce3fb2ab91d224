package dev.wanx.transport.udp;

/**
 * How much parity one direction sends: none on a clean path, one to three rows per group of packets as its random
 * loss grows (up to eight to a peer that takes wide rows, fewer for a short group; see {@link Fec}). The random loss
 * is counted two ways, halved every {@link #WINDOW} packets sent:
 * over all ack-eliciting packets (losses that no queue or run of losses explains), and over quiet time only
 * (packets sent while no queue showed). A bulk run that keeps the bottleneck's queue busy has most of its losses
 * counted as congestion, so the first rate then reads 1 % of random loss as ~0.2 %; the second does not (simulation
 * and lab, 100 KB fetches after bulk transfers). Parity follows the larger. Packets the peer rebuilt from parity count
 * as losses too (FILLED): else parity that works hides its losses and is cut. Before a window's worth of packets, the
 * path history's loss decides, and an unknown path counts as lossy (the safe side for latency).
 */
final class ParityPolicy {
    /** Below this random loss, no parity. */
    static final double MIN_LOSS = 0.002;
    /**
     * Three rows from here, with margin: losses beside a queue count as congestion, and the lab's come in runs more
     * often than independent losses would (lab, 1 %: none of 200 fetches of 100 KB waited a round trip).
     */
    static final double THREE_ROWS = 0.008;
    static final int WINDOW = 1024;

    private double sent;
    private double lost;
    private double quietSent;
    private double quietLost;
    private double expectedLoss = -1; // from path history; -1 = unknown

    /** An ack-eliciting packet went out; {@code behindQueue}: the RTT showed a queue then. */
    void onSent(boolean behindQueue) {
        if (!behindQueue && ++quietSent >= 2 * WINDOW) {
            quietSent /= 2;
            quietLost /= 2;
        }
        if (++sent >= 2 * WINDOW) {
            sent /= 2;
            lost /= 2;
        }
    }

    /** A packet was lost: {@code random} by the loss-time rule, {@code quiet} if also sent without a queue. */
    void onLost(boolean random, boolean quiet) {
        if (random) lost++;
        if (quiet) quietLost++;
    }

    /** The loss rate a path history remembers for this path (before this connection has measured its own). */
    void expectLoss(double loss) { this.expectedLoss = loss; }

    /** The random loss parity follows (the larger of the two rates once quiet time has enough packets). */
    double randomLoss() {
        if (sent == 0) return 0;
        double all = lost / sent;
        return quietSent >= WINDOW / 2 ? Math.max(all, quietLost / quietSent) : all;
    }

    /** Whether this direction loses enough for parity to pay. */
    boolean wanted() {
        if (sent < WINDOW) {
            return expectedLoss < 0 || expectedLoss >= MIN_LOSS;
        }
        return randomLoss() >= MIN_LOSS;
    }

    /**
     * Rows per group. With one row a group fails on two losses (at 1 % loss about 3 % of 100 KB responses then wait a
     * round trip, at 3 % about 28 %); two rows hold to 1 %, three to 3 % in groups of 8 (~1 response in 440). A peer
     * that takes wide rows gets more rows over groups of 16 instead, as many as keep a 100 KB response from waiting
     * more than once in a thousand even if the true loss is 1.5 times the reading (the lab's 3 % reads 1.6-3.1 %):
     * at the same parity as 3 per 8, 6 per 16 fail ~1 response in 80,000 at 3 % (binomial).
     * Fewer rows only once the reading is a fifth below the step: each packet sent without loss lowers the reading a
     * little, and a response whose later groups got a row less waited a round trip (simulation, 1 %: 1 in 300).
     */
    int rows() {
        double loss = sizingLoss();
        lastRows = Math.max(rowsFor(loss), Math.min(lastRows, rowsFor(loss * 1.25)));
        return lastRows;
    }

    private int lastRows;

    /**
     * Rows for a group of {@code packets} (the tail of a response, a one-packet request): the fewest that fail it no
     * more often than a full group fails with {@link #rows()}, at 1.5 times the reading, as that table assumes. Rows
     * past what a short group needs bought nothing (a one-packet request got six copies at 3 %), and a short group
     * with the full group's failure rate is no less safe. At most {@link #rows()}.
     */
    int rows(int packets) {
        int full = rows();
        int group = groupSize();
        if (packets >= group) return full;
        double q = 1.5 * Math.max(sizingLoss(), MIN_LOSS);
        double fullFails = groupFails(group, full, q);
        for (int r = 1; r < full; r++) {
            if (groupFails(packets, r, q) <= fullFails) return r;
        }
        return full;
    }

    /**
     * P(more than {@code rows} of a group's {@code packets + rows} datagrams lost) at independent loss {@code q}: the
     * group then misses more packets than it has rows (a group with that many rows or fewer lost is rebuilt, bar a
     * rare singular choice of rows, {@link Fec.Receiver}).
     */
    static double groupFails(int packets, int rows, double q) {
        int n = packets + rows;
        double sum = 0;
        double c = 1; // n choose k
        for (int k = 0; k <= n; k++) {
            if (k > rows) sum += c * Math.pow(q, k) * Math.pow(1 - q, n - k);
            c = c * (n - k) / (k + 1);
        }
        return sum;
    }

    /** Readings from which a peer that takes wide rows gets 2, 3, 4, 5, 6 and 8 rows per group of 16. */
    private static final double[] WIDE_FROM = {MIN_LOSS, 0.004, 0.009, 0.014, 0.025, 0.04};
    private static final int[] WIDE_ROWS = {2, 3, 4, 5, 6, 8};

    private int rowsFor(double loss) {
        if (!wideRows) return loss >= THREE_ROWS ? 3 : loss >= MIN_LOSS ? 2 : 1;
        int r = 1;
        for (int i = 0; i < WIDE_FROM.length && loss >= WIDE_FROM[i]; i++) r = WIDE_ROWS[i];
        return r;
    }

    /**
     * Packets per group, for a peer that keeps enough of them: 16 below 2 % loss (three rows still fail a group of 19
     * at 1 % about once in 30,000; half the parity of 8), 8 above (at 3 %, 3 rows per 16 would fail ~1 response in
     * 90). A peer that takes wide rows: always 16 (more rows instead).
     */
    int groupSize() {
        return !wideRows && sizingLoss() >= WIDE_GROUP_MAX_LOSS ? 8 : 16;
    }

    private boolean wideRows;

    /** The peer takes rows above {@link Fec#NARROW_ROWS} - 1 (its hello said so). */
    void wideRows(boolean wide) { this.wideRows = wide; }

    /** The loss rows and group size follow: the path history's until a window's worth of packets, then measured. */
    private double sizingLoss() {
        return sent < WINDOW ? Math.max(expectedLoss, 0) : randomLoss();
    }

    static final double WIDE_GROUP_MAX_LOSS = 0.02;

    /** For the sender's debug line: rows, then random loss over all packets and over quiet time (packets). */
    @Override public String toString() {
        return String.format("parity=%d random=%.4f(%.0f) quiet=%.4f(%.0f)", wanted() ? rows() : 0,
                sent == 0 ? 0 : lost / sent, sent, quietSent == 0 ? 0 : quietLost / quietSent, quietSent);
    }
}
