package dev.wanx.transport.udp;

/**
 * A simple BBR-like model: bottleneck bandwidth = max delivery rate over the last 10 rounds, min RTT over
 * 10 s; pace at gain × bandwidth and allow cwndGain × BDP in flight. Random loss does not change the model
 * (that is what keeps a 1–3 % lossy long link full, where loss-based TCP collapses). A persistent rise
 * of RTT above min RTT (a queue building at the bottleneck) does: each round that sees it shaves the
 * bandwidth estimate. Phases: STARTUP (gain 2.885 until bandwidth stops growing 25 %/round for 3 rounds,
 * or a queue stands for two rounds, or a round loses over 10 %),
 * DRAIN, PROBE_BW (gain cycle 1.25, 0.75, 1×6, one phase per min RTT), PROBE_RTT (half a BDP for 200 ms
 * when min RTT has not been refreshed for 10 s).
 */
public final class BbrLite implements CongestionControl {
    enum Mode { STARTUP, DRAIN, PROBE_BW, PROBE_RTT }

    private static final double HIGH_GAIN = 2.885;
    private static final double[] CYCLE = {1.25, 0.75, 1, 1, 1, 1, 1, 1};
    private static final int BW_ROUNDS = 10;
    private static final long MIN_RTT_WINDOW_NS = 10_000_000_000L;
    private static final long PROBE_RTT_NS = 200_000_000L;
    /**
     * Rounds and gain phases last at least this long. On sub-millisecond paths (loopback, LAN) a round is
     * a few packets, so 10 rounds of bandwidth memory would be forgotten in one scheduling hiccup and a
     * 1.25 probe phase would end before a single packet left; WAN rounds (≥ 5 ms) are unaffected.
     */
    private static final long MIN_ROUND_NS = 5_000_000L;
    private static final long MAX_AGGREGATION_NS = 10_000_000L;
    /** A STARTUP round losing more than this is overrunning the bottleneck's queue, not seeing random loss. */
    private static final double STARTUP_LOSS_EXIT = 0.10;

    private final int mss;
    private final long initialCwnd;
    private final double cwndGainSteady;
    private final long[] bwByRound = new long[BW_ROUNDS];
    private Mode mode = Mode.STARTUP;
    private long round;
    /** Rounds that carried a sample not limited by the app: the bandwidth filter's clock (see onAck). */
    private long bwRound;
    private long lastBwSampleRound = -1;
    private long nextRoundDelivered;
    private long roundStartNs = Long.MIN_VALUE / 2;
    private long btlBw;
    private long minRttNs;
    private long minRttStampNs;
    private boolean minRttSampled;
    private boolean startupFull;
    private long drainStartRound;
    private long fullBw;
    private int fullBwRounds;
    private int cycleIndex;
    private long cycleStartNs;
    /** A loss was declared since the current PROBE_BW phase began (ends a probe, see {@link #phaseOver}). */
    private boolean phaseLost;
    private long probeRttDoneNs;
    /**
     * The smallest RTT seen in this PROBE_RTT (Long.MAX_VALUE: none yet). Kept apart from minRttNs, which stays the
     * model's until the phase ends: a min RTT of "unknown" would make the window huge (no drain) and, saved by the
     * path history mid-phase, a record no later RTT agrees with (lab: 2.3e12 ms saved, the next session cold).
     */
    private long probeRttMinNs = Long.MAX_VALUE;
    private long roundMinRttNs = Long.MAX_VALUE;
    private int queueRounds;
    /** Whether any sample of the current round came from a sender that had data to fill the pipe. */
    private boolean roundFilled;
    /** A STARTUP round with fewer packets than this cannot tell heavy loss from bad luck. */
    private static final int STARTUP_LOSS_MIN_PACKETS = 20;
    private long rttEwmaNs;
    /**
     * After idle, the first quarter BDP goes at twice the model's rate. A short response paced at the estimate waits
     * on the pacer whenever the estimate is below the link (lab, 100 Mbit/s after a CPU-bound bulk run: 60 Mbit/s,
     * so 100 KB took 18 ms, not 8). Sent faster than the bottleneck, it still arrives at the bottleneck's rate, with
     * at most an eighth of a BDP queued on the way, and its delivery-rate samples then show the link's real rate.
     */
    private static final double RESTART_GAIN = 2;
    /**
     * At most this many packets in flight is an idle pipe: a side that only acked (the other direction of a download)
     * still has a CREDIT or PING out when its own upload starts (lab: 907 bytes), and that upload is a restart too.
     */
    private static final int IDLE_INFLIGHT_PACKETS = 2;
    private long restartBytesLeft;
    private long roundAcked;
    private long roundLost;
    private double lossEwma;
    private double pacingGain = HIGH_GAIN;
    /**
     * STARTUP's window is 2.885 BDPs of the current estimate, as its pacing gain. BBRv2's 2 (tried 2026-12-02) lost
     * fewer packets to the overshoot (wire / delivered 1.10 instead of 1.18 at 50 Mbit/s, 100 ms) but a cold start
     * then took 2-3 round trips longer to reach the link's rate (lab A/B, scripts/bench-resume): the re-sends of an
     * overshoot cost the wire, not the transfer.
     */
    private double cwndGain = HIGH_GAIN;

    /** Careful resume from the path history: its state and validation window. */
    private final CarefulResume resume = new CarefulResume();
    private static final java.util.logging.Logger BW_TRACE = java.util.logging.Logger.getLogger("wanx.udp.bw");

    /**
     * @param initialRttNs RTT measured by the handshake (used until the first ack sample)
     * @param cwndGain     steady-state cwnd in BDPs; ≥ 2 so ack delay and retransmits never starve a long link
     */
    public BbrLite(int mss, int initialCwndPackets, long initialRttNs, double cwndGain) {
        this.mss = mss;
        this.initialCwnd = (long) initialCwndPackets * mss;
        this.minRttNs = Math.max(initialRttNs, 1_000_000L);
        this.cwndGainSteady = cwndGain;
    }

    /** Careful resume ({@link CarefulResume}): pace at half a remembered rate from the first packet. */
    @Override
    public void resume(dev.wanx.transport.path.PathRecord saved, boolean rttMeasured) {
        resume.offer(saved, rttMeasured, minRttNs);
    }

    @Override
    public dev.wanx.transport.path.PathRecord snapshot(long nowMillis) {
        if (bwRound == 0 || btlBw <= 0 || !minRttSampled) {
            return null; // no sample from a full pipe yet: nothing worth remembering
        }
        return new dev.wanx.transport.path.PathRecord(btlBw, minRttNs, Math.min(1, Math.max(0, lossEwma)), nowMillis);
    }

    CarefulResume.State resumeState() { return resume.state(); }

    @Override
    public void onPacketSent(long nowNs, int bytes, long bytesInFlight) {
        if (minRttStampNs == 0) {
            minRttStampNs = nowNs;
        }
        if (bytesInFlight <= IDLE_INFLIGHT_PACKETS * mss && mode == Mode.PROBE_BW && btlBw > 0) {
            if (restartBytesLeft == 0) {
                restartBytesLeft = bdp() / 4; // a restart from idle: a response, or the start of a transfer
            }
            cycleIndex = 2; // and a cruise: not the drain, nor a probe that would queue on top of the restart's burst
            cycleStartNs = nowNs;
            pacingGain = CYCLE[cycleIndex];
            phaseLost = false;
        }
        restartBytesLeft = Math.max(0, restartBytesLeft - bytes);
    }

    @Override
    public void onAck(long nowNs, RateSample s) {
        if (s.rttNs > 0) {
            // The first sample replaces the handshake's guess whichever is larger; after that, expiry is PROBE_RTT's job.
            resume.onRttSample(s.rttNs);
            if (s.rttNs <= minRttNs || !minRttSampled) {
                minRttSampled = true;
                minRttNs = s.rttNs;
                minRttStampNs = nowNs;
            }
            roundMinRttNs = Math.min(roundMinRttNs, s.rttNs);
            if (mode == Mode.PROBE_RTT) {
                probeRttMinNs = Math.min(probeRttMinNs, s.rttNs);
            }
            rttEwmaNs = rttEwmaNs == 0 ? s.rttNs : (7 * rttEwmaNs + s.rttNs) / 8;
        }
        if (resume.unvalidated()) {
            long sample = resume.validate(nowNs, s, minRttNs, rttForModel(), mss);
            if (sample >= 0) {
                int slot = (int) (bwRound % BW_ROUNDS);
                if (resume.state() == CarefulResume.State.RETREATED) {
                    java.util.Arrays.fill(bwByRound, 0);
                    bwByRound[slot] = sample;
                    enterDrain();
                } else {
                    bwByRound[slot] = Math.max(bwByRound[slot], sample);
                }
            }
        }
        boolean newRound = false;
        if (s.priorDelivered >= nextRoundDelivered && nowNs - roundStartNs >= MIN_ROUND_NS) {
            nextRoundDelivered = s.delivered;
            roundStartNs = nowNs;
            round++;
            newRound = true;
            onRoundEnd();
        }
        roundAcked += s.ackedBytes;
        if (!s.appLimited) roundFilled = true;
        // Delivery rates are taken as measured. Scaling them up by the loss rate (to count random loss back
        // in) fed on itself behind a drop-tail bottleneck: overflow drops raised the estimate that caused them
        // (lab, 250 ms: 124 Mbit/s estimated on a 100 Mbit/s link, 22 % loss per round). The 1.25 probe
        // phase finds the link rate through random loss anyway.
        long rate = s.deliveryRate;
        if (rate > 0 && (!s.appLimited || rate >= btlBw)) {
            // The filter ages only in rounds where the sender had data to fill the pipe. A side that mostly
            // acks (the other direction of a download) or idles keeps its bandwidth, as Linux BBR's filter
            // does: forgetting it cost ~20 s of 1.25x probing to climb back at 100 ms RTT (measured in the lab).
            if (!s.appLimited && round != lastBwSampleRound) {
                lastBwSampleRound = round;
                bwRound++;
                bwByRound[(int) (bwRound % BW_ROUNDS)] = 0;
            }
            int slot = (int) (bwRound % BW_ROUNDS);
            if (rate > btlBw + btlBw / 20 && mode != Mode.STARTUP && BW_TRACE.isLoggable(java.util.logging.Level.FINER)) {
                BW_TRACE.finer(String.format("bandwidth estimate raised in %s: %d -> %d B/s, %d bytes over send %.1f ms / ack %.1f ms, rtt %.1f ms",
                        mode, btlBw, rate, s.delivered - s.priorDelivered, s.sendElapsedNs / 1e6, s.ackElapsedNs / 1e6, s.rttNs / 1e6));
            }
            bwByRound[slot] = Math.max(bwByRound[slot], rate);
        }
        long max = 0;
        for (long b : bwByRound) {
            max = Math.max(max, b);
        }
        btlBw = max;
        advanceMode(nowNs, s, newRound);
    }

    private boolean queueing() { return queueRounds > 0; }

    /** Queue-delay signal: a round whose smallest RTT is well above min RTT means a standing queue. */
    private void onRoundEnd() {
        double roundLoss = 0;
        if (roundAcked + roundLost > 0) {
            roundLoss = (double) roundLost / (roundAcked + roundLost);
            lossEwma = lossEwma * 0.75 + roundLoss * 0.25;
        }
        // STARTUP doubles the rate each round until the bandwidth stops growing, but a short transfer can end
        // before that shows; a queue standing for two rounds, or a round of heavy loss, says the pipe is full.
        // Only rounds in which this side had data to send say anything about its path: while it mostly acks
        // (the other direction of a download), its RTT samples carry the queue the *other* direction builds
        // and its few packets make loss fractions noise. Taking those as signals shaved a near's estimate to
        // 2.5 Mbit/s during a download (lab, 100 ms, 20 Mbit/s), so the upload after it crawled.
        boolean filled = roundFilled;
        roundFilled = false;
        boolean enoughPackets = roundAcked + roundLost >= (long) STARTUP_LOSS_MIN_PACKETS * mss;
        startupFull = filled && mode == Mode.STARTUP
                && (queueRounds >= 1 && roundQueued() || enoughPackets && roundLoss > STARTUP_LOSS_EXIT);
        roundAcked = 0;
        roundLost = 0;
        if (!filled) {
            queueRounds = 0;
        } else if (roundMinRttNs != Long.MAX_VALUE && (mode == Mode.PROBE_BW || mode == Mode.STARTUP)) {
            boolean queued = roundQueued();
            queueRounds = queued ? queueRounds + 1 : 0;
            if (queueRounds >= 2 && mode == Mode.PROBE_BW) {
                for (int i = 0; i < BW_ROUNDS; i++) {
                    bwByRound[i] = bwByRound[i] * 9 / 10;
                }
            }
        }
        roundMinRttNs = Long.MAX_VALUE;
    }

    private boolean roundQueued() {
        return roundMinRttNs != Long.MAX_VALUE && roundMinRttNs > minRttNs + minRttNs / 4 + 5_000_000L;
    }

    private void advanceMode(long nowNs, RateSample s, boolean newRound) {
        switch (mode) {
            case STARTUP:
                if (newRound && startupFull) {
                    enterDrain();
                } else if (newRound && !s.appLimited) {
                    if (btlBw >= fullBw * 5 / 4) {
                        fullBw = btlBw;
                        fullBwRounds = 0;
                    } else if (++fullBwRounds >= 3) {
                        enterDrain();
                    }
                }
                break;
            case DRAIN:
                // Normally one round; the cap keeps a bad model from pacing at a third of the rate for long.
                if (s.bytesInFlight <= bdp() || round - drainStartRound >= 3) {
                    if (resume.takeReprobe()) {
                        reprobe(); // a refuted memory says "not that fast now", not how fast: find out as a cold start does
                    } else {
                        enterProbeBw(nowNs);
                    }
                }
                break;
            case PROBE_BW:
                if (phaseOver(nowNs, s.bytesInFlight)) {
                    cycleIndex = (cycleIndex + 1) % CYCLE.length;
                    cycleStartNs = nowNs;
                    pacingGain = CYCLE[cycleIndex];
                    phaseLost = false;
                }
                if (nowNs - minRttStampNs > MIN_RTT_WINDOW_NS) {
                    mode = Mode.PROBE_RTT;
                    pacingGain = 1;
                    cwndGain = 0.5;
                    probeRttDoneNs = nowNs + Math.max(PROBE_RTT_NS, minRttNs);
                    probeRttMinNs = Long.MAX_VALUE; // the smallest sample seen while drained becomes the min RTT
                }
                break;
            case PROBE_RTT:
                if (nowNs >= probeRttDoneNs) {
                    if (probeRttMinNs != Long.MAX_VALUE) {
                        minRttNs = Math.max(probeRttMinNs, 1_000_000L); // may be higher: the path changed
                    }
                    minRttStampNs = nowNs;
                    enterProbeBw(nowNs);
                }
                break;
            default:
                break;
        }
    }

    /**
     * Linux BBR's phase rules, not a fixed min RTT each. A probe (1.25) lasts a min RTT and until it has put 1.25
     * BDP in flight or seen a loss; a drain (0.75) ends as soon as inflight is down to a BDP. With fixed phases the
     * cycle ran on while a side only acked (the other direction of a download), so an upload could start in the
     * drain phase and pace at 0.75 for its first round trip (lab, 250 ms: ~0.1 s of a 3.3 s upload lost). A restart
     * from idle now starts a cruise ({@link #onPacketSent}), and a drain with nothing queued is skipped.
     */
    private boolean phaseOver(long nowNs, long inflight) {
        boolean fullLength = nowNs - cycleStartNs > Math.max(minRttNs, MIN_ROUND_NS);
        if (pacingGain > 1) {
            return fullLength && (phaseLost || inflight >= (long) (pacingGain * bdp()));
        }
        if (pacingGain < 1) {
            return fullLength || inflight <= bdp();
        }
        return fullLength;
    }

    /** Empties the queue that STARTUP (or a refuted resume) built: pace below the model until inflight is a BDP. */
    private void enterDrain() {
        mode = Mode.DRAIN;
        drainStartRound = round;
        pacingGain = 1 / HIGH_GAIN;
        cwndGain = HIGH_GAIN;
    }

    /**
     * After a refuted resume has drained its queue: STARTUP once more, from the measured rate (no growth for three
     * rounds ends it there). Going straight to PROBE_BW left the climb to its 1.25 probes, one per 8 rounds, when the
     * refutation came from a receiver still slow (a JVM compiling in its first second): 2.3 s to 90 % of a 50 Mbit/s,
     * 100 ms path where a cold start took 0.4 s (lab). Paced at 2x, not 2.885x: it starts at what may be the
     * bottleneck's rate, not far below it (simulation, 100 Mbit/s remembered on a 20 Mbit/s link: 188 packets lost
     * at 2x, 251 at 2.885x, 152 with no second STARTUP).
     */
    private void reprobe() {
        mode = Mode.STARTUP;
        pacingGain = 2.0;
        cwndGain = HIGH_GAIN;
        fullBw = btlBw;
        fullBwRounds = 0;
    }

    private void enterProbeBw(long nowNs) {
        mode = Mode.PROBE_BW;
        cwndGain = cwndGainSteady;
        cycleIndex = 2; // start cruising; the probe up comes later in the cycle
        cycleStartNs = nowNs;
        pacingGain = CYCLE[cycleIndex];
        phaseLost = false;
    }

    @Override
    public void onLoss(long nowNs, long lostBytes, long bytesInFlight) {
        // Loss alone is not a congestion signal in this model (see class comment); it is only measured,
        // so that the bandwidth samples it depressed can be corrected.
        roundLost += lostBytes;
        phaseLost = true;
        resume.onLoss(lostBytes);
        // STARTUP overflowed the bottleneck's queue: stop now, not at the round's end. Re-sends sent meanwhile at
        // 2.885x went into the same full queue and were lost again, a queue-stretched round trip later each (lab,
        // 20 Mbit/s, 100 ms: in-order delivery held up to 0.5 s after a cold start). Counted against what is in
        // flight too: early in a round its own acks are few, and the first ack can report the last round's random
        // losses at once (a 2000-packet flight at 1 % loss), which is no overflow.
        if (mode == Mode.STARTUP && roundLost >= (long) STARTUP_LOSS_MIN_PACKETS * mss
                && roundLost > STARTUP_LOSS_EXIT * Math.max(roundAcked + roundLost, bytesInFlight)) {
            enterDrain();
        }
    }

    private long rttForModel() { return Math.min(minRttNs, 60_000_000_000L); }

    private long bdp() {
        if (btlBw == 0) {
            return initialCwnd;
        }
        return (long) (btlBw * (rttForModel() / 1e9));
    }

    @Override
    public long congestionWindow() {
        // Plus an allowance for acks that arrive late in bunches (busy hosts, sub-millisecond paths), as
        // BBR's extra_acked: up to 10 ms of bandwidth beyond the min-RTT model.
        long allowance = (long) (btlBw * (Math.min(Math.max(rttEwmaNs - minRttNs, 0), MAX_AGGREGATION_NS) / 1e9));
        long cwnd = (long) (cwndGain * bdp()) + allowance;
        if (resume.unvalidated()) {
            cwnd = Math.max(cwnd, 2 * (long) (resume.jumpBw() * (rttForModel() / 1e9))); // pacing, not the window, sets the jump
        }
        // Never below the initial window outside PROBE_RTT: pacing already holds the rate, and where min RTT is
        // far below the smoothed RTT (sub-millisecond paths, busy hosts) a BDP-sized window would starve the link.
        return Math.max(cwnd, mode == Mode.PROBE_RTT ? 4L * mss : initialCwnd);
    }

    @Override
    public long pacingRate() {
        long bw = btlBw > 0 ? btlBw : (long) (initialCwnd * 1e9 / rttForModel());
        double gain = restartBytesLeft > 0 ? Math.max(pacingGain, RESTART_GAIN) : pacingGain;
        long rate = Math.max((long) (gain * bw), 4L * mss);
        long ceiling = resume.startupCeiling();
        if (mode == Mode.STARTUP && ceiling > 0) {
            rate = Math.min(rate, ceiling);
        }
        return resume.unvalidated() ? Math.max(rate, resume.jumpBw()) : rate;
    }

    @Override
    public long bandwidthEstimate() { return btlBw; }

    @Override
    public String state() {
        return mode.name() + (queueRounds > 0 ? "+queue" : "") + String.format(" loss=%.3f", lossEwma)
                + (resume.state() == CarefulResume.State.NONE ? "" : " resume=" + resume.state().name().toLowerCase(java.util.Locale.ROOT));
    }

    long minRttNs() { return minRttNs; }

    double lossEstimate() { return lossEwma; }
}
