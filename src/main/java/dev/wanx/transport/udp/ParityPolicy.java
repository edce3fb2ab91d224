package dev.wanx.transport.udp;

/**
 * How much parity one direction sends: none on a clean path, one to three rows per group of packets as its random
 * loss grows (see {@link Fec}). The random loss is counted two ways, halved every {@link #WINDOW} packets sent:
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
     * Rows per group: enough that a group's losses beyond them are rarer than about one 100 KB response in a hundred.
     * With one row a group fails on two losses (at 1 % loss about 3 % of such responses then wait a round trip, at 3 %
     * about 28 %); two rows hold to 1 %, three to 3 %.
     */
    int rows() {
        double loss = sizingLoss();
        return loss >= THREE_ROWS ? 3 : loss >= MIN_LOSS ? 2 : 1;
    }

    /**
     * Packets per group, for a peer that keeps enough of them: 16 below 2 % loss (three rows still fail a group of 19
     * at 1 % about once in 30,000; half the parity of 8), 8 above (at 3 %, 3 rows per 16 would fail ~1 response in 60).
     */
    int groupSize() {
        return sizingLoss() >= WIDE_GROUP_MAX_LOSS ? 8 : 16;
    }

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
