package dev.wanx.transport.udp;

import dev.wanx.transport.path.PathRecord;

/**
 * Careful resume for {@link BbrLite}: a path remembered by the path history ({@link PathRecord}) lets a new
 * connection pace at half the remembered rate from its first packet instead of slow-starting, until a quarter round
 * trip of acks confirms or refutes the memory. This class holds that state and the validation window; the model's
 * filter and phases stay in {@link BbrLite}, which applies the verdict. Numbers only; one connection's thread.
 */
final class CarefulResume {
    /** NONE (unknown path), UNVALIDATED (pacing at half the saved rate), VALIDATED, RETREATED. */
    enum State { NONE, UNVALIDATED, VALIDATED, RETREATED }

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger("wanx.path");

    private State state = State.NONE;
    /** Paced while unvalidated: half the saved bandwidth, as in careful resume's jump to half the saved window. */
    private long jumpBw;
    /** Validation window: acks (and losses) counted from the first ack of a full pipe at the resumed rate. */
    private long ackStartNs;
    private long acked;
    private long lost;
    /**
     * After a confirmed resume, STARTUP paces at most this (1.25x the remembered rate): the memory already says
     * where the pipe ends, and doubling past it only overflowed the bottleneck's queue a round later (lab, 20 Mbit/s,
     * 100 ms: a 0.5 s stall of in-order delivery behind the re-sends). A faster path is still found, by STARTUP's
     * growth up to the cap and then PROBE_BW's 1.25 probes. 0: no cap.
     */
    private long startupCeiling;
    /** A refuted resume ran its second STARTUP: once per connection. */
    private boolean reprobed;
    /** A record waiting for the first RTT sample (the far end has none before it). */
    private PathRecord pending;

    /**
     * If the RTT is within [½, 10]× the saved min RTT (the same kind of path), the jump starts now; with
     * {@code rttMeasured} false (the far end) the check waits for the first RTT sample ({@link #onRttSample}).
     */
    void offer(PathRecord saved, boolean rttMeasured, long rttNs) {
        if (saved == null) return;
        if (rttMeasured) start(saved, rttNs);
        else pending = saved; // reconnaissance: wait for the first RTT sample
    }

    void onRttSample(long rttNs) {
        if (pending != null) {
            start(pending, rttNs);
            pending = null;
        }
    }

    private void start(PathRecord saved, long rttNs) {
        if (rttNs < saved.minRttNs() / 2 || rttNs > saved.minRttNs() * 10) {
            return; // another kind of path than the one remembered: start as on an unknown one
        }
        jumpBw = saved.bandwidthBytesPerSec() / 2;
        startupCeiling = saved.bandwidthBytesPerSec() * 5 / 4;
        state = State.UNVALIDATED;
    }

    State state() { return state; }

    boolean unvalidated() { return state == State.UNVALIDATED; }

    /** The rate the jump paces at while unvalidated. */
    long jumpBw() { return jumpBw; }

    /** STARTUP's pacing cap after a confirmed resume (0: none). */
    long startupCeiling() { return state == State.VALIDATED ? startupCeiling : 0; }

    void onLoss(long lostBytes) {
        if (state == State.UNVALIDATED && ackStartNs != 0) lost += lostBytes;
    }

    /** Whether a refuted resume should run STARTUP again now that DRAIN is over (once per connection). */
    boolean takeReprobe() {
        if (state != State.RETREATED || reprobed) return false;
        reprobed = true;
        return true;
    }

    /**
     * The rate at which acks come back is what the bottleneck passes: after a quarter round trip of acks (and at
     * least 32 packets) from a sender with data to send, it either confirms the resumed rate (then the bandwidth
     * filter starts from it and STARTUP probes on, up to {@link #startupCeiling}) or, if it falls short of 85 % or
     * over 10 % was lost, ends the resume: the filter takes the measured rate, DRAIN empties the queue the jump
     * built and STARTUP starts again from there. A quarter round trip, not an eighth: a receiver that acks in bunches
     * (a JVM still compiling, a read batch) made an eighth read 13 Mbit/s on a good 50 Mbit/s path and 27 on a
     * 20 Mbit/s one (lab, 100 ms). The threshold leans to refuting: a refuted resume costs a round trip or two, a
     * memory wrongly confirmed a queue overflow and a stall.
     * An ack of a packet sent by an app-limited sender with nothing queued restarts the window (an idle pipe says
     * nothing about the path).
     *
     * @return the bandwidth sample the verdict gives the filter ({@link #state} says which verdict), or -1 while the
     *         window is still open
     */
    long validate(long nowNs, RateSample s, long minRttNs, long rttForModelNs, int mss) {
        // Packets of a run that started from idle are app-limited until the first of them is acked; those sent with
        // data queued behind them were paced at the resumed rate all the same, and their acks count. Waiting for
        // the second round trip's acks kept the jump at half the memory a round trip longer (lab, 50 Mbit/s, 100 ms).
        // But only while a quarter of the jump's pipe is in flight: a 100 KB response is queued when sent too, and
        // its acks stop before the window ends (lab: "acked at 10 Mbit/s" on a 50 Mbit/s path, and refuted).
        boolean paced = (!s.appLimited || s.backlogged) && s.bytesInFlight >= (long) (jumpBw * (rttForModelNs / 1e9)) / 4;
        if (!paced || ackStartNs == 0) {
            ackStartNs = paced ? nowNs : 0;
            acked = 0;
            lost = 0;
            return -1;
        }
        acked += s.ackedBytes;
        long elapsed = nowNs - ackStartNs;
        if (acked < 32L * mss || elapsed < minRttNs / 4) {
            return -1;
        }
        long ackRate = (long) (acked * 1e9 / elapsed);
        boolean lossy = lost > (acked + lost) / 10;
        long sample;
        if (lossy || ackRate < jumpBw * 85 / 100) {
            state = State.RETREATED;
            sample = Math.min(ackRate, jumpBw);
        } else {
            state = State.VALIDATED; // startupCeiling stays: STARTUP probes on, up to 1.25x the memory
            sample = ackRate;
        }
        LOG.info(String.format("path history %s: paced at %.1f Mbit/s, acked at %.1f, %d of %d bytes lost",
                state == State.VALIDATED ? "confirmed" : "refuted", jumpBw * 8e-6, ackRate * 8e-6, lost, acked + lost));
        jumpBw = 0;
        return sample;
    }
}
