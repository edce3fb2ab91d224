package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ack tracker, range set, RTT estimator, loss detector, BBR-lite and pacer, with time advanced by hand. */
class StateMachineTest {
    static final long MS = 1_000_000L;

    @Test
    void rangeSetMergesDedupesAndFoldsIntoFloor() {
        RangeSet s = new RangeSet(3);
        assertTrue(s.add(0));
        assertTrue(s.add(1));
        assertEquals(1, s.floor(), "contiguous from zero folds into the floor");
        assertTrue(s.add(5));
        assertTrue(s.add(3));
        assertTrue(s.add(4)); // joins 3 and 5
        assertFalse(s.add(4));
        assertEquals(1, s.rangeCount());
        assertTrue(s.add(10));
        assertTrue(s.add(20));
        assertTrue(s.add(30)); // over capacity: lowest range folds into the floor
        assertTrue(s.contains(2), "below the floor counts as seen");
        assertFalse(s.add(2));
        assertFalse(s.contains(11));
        assertTrue(s.add(2 + 9)); // 11 merges nothing yet is new
    }

    @Test
    void ackTrackerAcksEveryFourthPacketAndOnHolesElseAfterDelay() {
        AckTracker t = new AckTracker(64, 25 * MS, 0);
        assertTrue(t.onPacket(0, true, 10 * MS));
        assertEquals(35 * MS, t.ackDeadlineNs(), "first eliciting packet: ack within max ack delay");
        assertTrue(t.onPacket(1, true, 11 * MS));
        assertTrue(t.onPacket(2, true, 11 * MS));
        assertEquals(35 * MS, t.ackDeadlineNs(), "third: still within the delay");
        assertTrue(t.onPacket(3, true, 11 * MS));
        assertEquals(11 * MS, t.ackDeadlineNs(), "fourth eliciting packet: ack now");
        ByteBuf b = Unpooled.buffer();
        t.writeAck(b, 12 * MS, 32);
        assertEquals(Long.MAX_VALUE, t.ackDeadlineNs());
        assertTrue(t.onPacket(5, true, 13 * MS));
        assertEquals(13 * MS, t.ackDeadlineNs(), "a hole: ack at once");
        assertFalse(t.onPacket(5, true, 14 * MS), "duplicate");
        assertTrue(t.onPacket(6, false, 15 * MS));
        b.clear();
        t.writeAck(b, 17 * MS, 32);
        AckFrame a = new AckFrame();
        List<Long> acked = new ArrayList<>();
        assertTrue(Frames.decode(b, a, new CodecTest.Rec()));
        assertEquals(6, a.largest);
        assertEquals(2, a.rangeCount);
        assertTrue(a.contains(5) && a.contains(6) && a.contains(0) && a.contains(3) && !a.contains(4));
        assertEquals(2000, a.ackDelayMicros, "held for 2 ms since the largest arrived");
        assertTrue(t.onPacket(7, false, 18 * MS));
        assertEquals(Long.MAX_VALUE, t.ackDeadlineNs(), "ack-only packets are not acked on their own");
        assertFalse(t.hasAckToSend());
    }

    @Test
    void rangesThePeerHasSeenAreNotRepeated() {
        AckTracker t = new AckTracker(4096, 25 * MS, 0);
        for (int i = 0; i < 40; i += 2) {
            t.onPacket(i, true, i * MS); // 20 ranges: a hole after each
        }
        ByteBuf b = Unpooled.buffer();
        long largest = t.writeAck(b, 50 * MS, 32);
        assertEquals(38, largest);
        AckFrame a = new AckFrame();
        assertTrue(Frames.decode(b, a, new CodecTest.Rec()));
        assertEquals(20, a.rangeCount);
        t.peerHasUpTo(largest); // the packet carrying that ACK was acked
        t.onPacket(41, true, 51 * MS);
        t.onPacket(43, true, 52 * MS);
        b.clear();
        t.writeAck(b, 53 * MS, 32);
        assertTrue(Frames.decode(b, a, new CodecTest.Rec()));
        assertEquals(2, a.rangeCount, "only what came after the acknowledged ACK");
        assertTrue(a.contains(41) && a.contains(43) && !a.contains(42));
        b.release();
    }

    @Test
    void ackCarriesManyRanges() {
        AckTracker t = new AckTracker(4096, 25 * MS, 0);
        for (int i = 0; i < 200; i += 2) {
            t.onPacket(i, true, i * MS);
        }
        ByteBuf b = Unpooled.buffer();
        t.writeAck(b, 300 * MS, 64);
        AckFrame a = new AckFrame();
        assertTrue(Frames.decode(b, a, new CodecTest.Rec()));
        assertEquals(64, a.rangeCount);
        assertEquals(198, a.largest);
    }

    @Test
    void rttEstimatorSubtractsAckDelayButNotBelowMin() {
        RttEstimator r = new RttEstimator(100 * MS);
        r.onSample(100 * MS, 0, 25 * MS);
        assertEquals(100 * MS, r.smoothedNs());
        assertEquals(50 * MS, r.varNs());
        r.onSample(120 * MS, 20 * MS, 25 * MS);
        assertEquals(100 * MS, r.smoothedNs(), "120 less 20 ack delay");
        r.onSample(110 * MS, 50 * MS, 25 * MS);
        assertEquals(100 * MS, r.minNs());
        assertTrue(r.smoothedNs() > 100 * MS, "ack delay capped at max: 110-25=85 < min, so 110 used");
    }

    private static final class Sink implements LossDetector.Listener {
        final List<Long> acked = new ArrayList<>();
        final List<Long> lost = new ArrayList<>();

        public void onAcked(SentPacket p, long now) { acked.add(p.pn); }

        public void onLost(SentPacket p, long now) { lost.add(p.pn); }
    }

    private static void send(LossDetector d, long pn, long now) {
        SentPacket p = d.newPacket();
        p.pn = pn;
        p.bytes = 1000;
        p.ackEliciting = true;
        d.onSent(p, now);
    }

    private static AckFrame ack(long... pns) {
        AckFrame a = new AckFrame();
        // one range per listed packet number, descending
        a.rangeCount = pns.length;
        for (int i = 0; i < pns.length; i++) {
            a.starts[i] = pns[pns.length - 1 - i];
            a.ends[i] = pns[pns.length - 1 - i];
        }
        a.largest = a.ends[0];
        return a;
    }

    @Test
    void packetThresholdDeclaresLossAfterThreeLaterPacketsAcked() {
        RttEstimator rtt = new RttEstimator(100 * MS);
        LossDetector d = new LossDetector(rtt, 25 * MS);
        for (int i = 0; i < 6; i++) {
            send(d, i, i * MS);
        }
        Sink s = new Sink();
        d.onAck(ack(1, 2), 101 * MS, s);
        assertEquals(List.of(1L, 2L), s.acked);
        assertTrue(s.lost.isEmpty(), "0 is only 2 behind");
        d.onAck(ack(3), 103 * MS, s);
        assertEquals(List.of(0L), s.lost, "0 is 3 behind the largest acked");
        assertEquals(2000, d.bytesInFlight());
    }

    @Test
    void timeThresholdDeclaresLossAfterNineEighthsRtt() {
        RttEstimator rtt = new RttEstimator(100 * MS);
        LossDetector d = new LossDetector(rtt, 25 * MS);
        send(d, 0, 0);
        send(d, 1, 1 * MS);
        Sink s = new Sink();
        d.onAck(ack(1), 101 * MS, s);
        assertTrue(s.lost.isEmpty());
        long t = d.timerNs();
        assertEquals(0 + 100 * MS * 9 / 8, t, "loss timer at send time + 9/8 RTT");
        assertEquals(0, d.onTimeout(t, s));
        assertEquals(List.of(0L), s.lost);
    }

    @Test
    void probeTimeoutSendsProbesWithoutDeclaringLossAndBacksOff() {
        RttEstimator rtt = new RttEstimator(100 * MS);
        LossDetector d = new LossDetector(rtt, 25 * MS);
        send(d, 0, 0);
        Sink s = new Sink();
        long pto = d.timerNs();
        assertTrue(pto > 100 * MS && pto < 400 * MS, "PTO ~ srtt + 4 rttvar + ack delay, not a 1 s RTO: " + pto);
        assertEquals(2, d.onTimeout(pto, s));
        assertTrue(s.lost.isEmpty());
        send(d, 1, pto);
        long pto2 = d.timerNs();
        assertEquals(pto + 2 * (pto - 0), pto2, "backed off 2x");
        assertEquals(4, d.onTimeout(pto2, s), "more probes as timeouts repeat");
        d.onAck(ack(1), pto2 + MS, s);
        assertEquals(0, d.ptoCount());
    }

    private static RateSample sample(long rate, long rttNs, long priorDelivered, long delivered) {
        RateSample s = new RateSample();
        s.deliveryRate = rate;
        s.rttNs = rttNs;
        s.priorDelivered = priorDelivered;
        s.delivered = delivered;
        s.ackedBytes = 1200;
        return s;
    }

    /** Drives the controller with one sample per round at the given rate and RTT. */
    private static long rounds(BbrLite cc, int n, long rate, long rttNs, long lossBytesPerRound, long[] clock, long[] delivered) {
        for (int i = 0; i < n; i++) {
            clock[0] += rttNs;
            long prior = delivered[0];
            delivered[0] += rate * rttNs / 1_000_000_000L;
            if (lossBytesPerRound > 0) {
                cc.onLoss(clock[0], lossBytesPerRound, 0);
            }
            cc.onAck(clock[0], sample(rate, rttNs, prior, delivered[0]));
        }
        return cc.pacingRate();
    }

    /** Rounds of 100 ms in which this side only sent acks and credit ({@code bytes} per round): app-limited samples. */
    private static void ackOnlyRounds(BbrLite cc, int n, long bytes, long inFlight, long[] clock, long[] delivered) {
        for (int i = 0; i < n; i++) {
            clock[0] += 100 * MS;
            long prior = delivered[0];
            delivered[0] += bytes;
            RateSample s = sample(bytes * 10, 100 * MS, prior, delivered[0]);
            s.appLimited = true;
            s.bytesInFlight = inFlight;
            cc.onAck(clock[0], s);
        }
    }

    @Test
    void bbrStartupFindsBandwidthThenCruisesAndIgnoresRandomLoss() {
        BbrLite cc = new BbrLite(1233, 32, 100 * MS, 2.5);
        long[] clock = {0};
        long[] delivered = {0};
        long bw = 12_500_000L; // 100 Mbit/s
        rounds(cc, 12, bw, 100 * MS, 0, clock, delivered);
        assertTrue(cc.state().startsWith("PROBE_BW"), cc.state());
        assertEquals(bw, cc.bandwidthEstimate());
        assertTrue(cc.congestionWindow() >= 2 * bw / 10, "cwnd >= 2 BDP: " + cc.congestionWindow());
        long before = cc.bandwidthEstimate();
        rounds(cc, 30, bw * 97 / 100, 100 * MS, bw / 10 * 3 / 100, clock, delivered); // 3 % random loss, no queue
        assertTrue(cc.bandwidthEstimate() >= before * 95 / 100, "random loss must not cut the rate: " + cc.bandwidthEstimate());
    }

    private static SentPacket sent(DeliveryRateSampler d, long now, int bytes, long inflight) {
        SentPacket p = new SentPacket();
        p.timeSentNs = now;
        p.bytes = bytes;
        d.onPacketSent(p, now, inflight);
        return p;
    }

    @Test
    void aLonePacketFromAnIdleSenderIsAppLimitedAndBulkAfterwardsIsNot() {
        DeliveryRateSampler d = new DeliveryRateSampler();
        // bulk: a packet acked, the mark clear
        SentPacket a = sent(d, 0, 1200, 0);
        d.beginAck();
        d.onPacketAcked(a, 100 * MS);
        assertFalse(d.endAck(100 * MS, 0, 0).appLimited);
        // idle, nothing in flight: the sender marks itself app-limited, then sends one CREDIT-sized packet
        d.onAppLimited(0);
        SentPacket lone = sent(d, 5_000 * MS, 30, 0);
        d.beginAck();
        d.onPacketAcked(lone, 5_100 * MS);
        assertTrue(d.endAck(100 * MS, 0, 0).appLimited, "a tiny rate from an idle sender must not count as the path's");
        // the mark is gone once that packet is delivered: the next bulk packet samples the path again
        SentPacket bulk = sent(d, 5_200 * MS, 1200, 0);
        d.beginAck();
        d.onPacketAcked(bulk, 5_300 * MS);
        assertFalse(d.endAck(100 * MS, 0, 0).appLimited);
    }

    @Test
    void bbrKeepsItsBandwidthThroughAnAppLimitedSpell() {
        BbrLite cc = new BbrLite(1233, 32, 100 * MS, 2.5);
        long[] clock = {0};
        long[] delivered = {0};
        long bw = 12_500_000L;
        rounds(cc, 12, bw, 100 * MS, 0, clock, delivered);
        assertEquals(bw, cc.bandwidthEstimate());
        // 40 rounds of only acks and credit going out (the other direction of a download): tiny app-limited rates.
        ackOnlyRounds(cc, 40, 2400, 0, clock, delivered);
        assertEquals(bw, cc.bandwidthEstimate(), "an app-limited spell must not erase the path's bandwidth");
        assertTrue(cc.pacingRate() >= bw * 3 / 4, "the next bulk transfer starts near the link rate: " + cc.pacingRate());
    }

    @Test
    void anUploadAfterADownloadNeverStartsInTheDrainPhase() {
        long bw = 12_500_000L;
        for (int spell = 0; spell < 24; spell++) {
            BbrLite cc = new BbrLite(1233, 32, 100 * MS, 2.5);
            long[] clock = {0};
            long[] delivered = {0};
            rounds(cc, 12, bw, 100 * MS, 0, clock, delivered);
            // the other direction's transfer: this side only acks, for `spell` round trips of a few hundred bytes
            ackOnlyRounds(cc, spell, 900, 900, clock, delivered);
            // then its own upload: it starts from a pipe holding one CREDIT, at twice the rate for a quarter BDP
            cc.onPacketSent(clock[0], 1233, 900);
            assertEquals(2 * bw, cc.pacingRate(), "a restart after " + spell + " round trips of acks");
            for (long inFlight = 900 + 1233; inFlight < bw / 10 / 4 + 2 * 1233; inFlight += 1233) {
                cc.onPacketSent(clock[0], 1233, inFlight);
            }
            assertEquals(bw, cc.pacingRate(), "then a cruise, no probe on top of the restart's burst");
            // the first ack of it, with a round trip of data in flight
            clock[0] += 100 * MS;
            RateSample first = sample(bw, 100 * MS, delivered[0], delivered[0] + bw / 10);
            first.bytesInFlight = bw / 10;
            cc.onAck(clock[0], first);
            assertTrue(cc.pacingRate() >= bw, "after " + spell + " round trips of acks the upload paced at " + cc.pacingRate());
        }
    }

    @Test
    void aProbeLastsUntilItFillsOrLosesAndADrainEndsWithItsQueue() {
        BbrLite cc = new BbrLite(1233, 32, 100 * MS, 2.5);
        long[] clock = {0};
        long[] delivered = {0};
        long bw = 12_500_000L;
        long bdp = bw / 10;
        rounds(cc, 12, bw, 100 * MS, 0, clock, delivered);
        // cruise until the probe comes round (inflight one BDP, no loss)
        int guard = 0;
        while (cc.pacingRate() <= bw && guard++ < 20) {
            clock[0] += 100 * MS;
            RateSample s = sample(bw, 100 * MS, delivered[0], delivered[0] += bdp);
            s.bytesInFlight = bdp;
            cc.onAck(clock[0], s);
        }
        assertEquals(bw * 5 / 4, cc.pacingRate(), "probing");
        // a round trip on, the probe has neither filled 1.25 BDP nor lost: it goes on
        clock[0] += 150 * MS;
        RateSample s = sample(bw, 100 * MS, delivered[0], delivered[0] += bdp);
        s.bytesInFlight = bdp + bdp / 10;
        cc.onAck(clock[0], s);
        assertEquals(bw * 5 / 4, cc.pacingRate(), "still probing");
        // a loss ends it
        cc.onLoss(clock[0], 1233, bdp);
        clock[0] += 10 * MS;
        s = sample(bw, 100 * MS, delivered[0], delivered[0] += 1233);
        s.bytesInFlight = bdp + bdp / 5;
        cc.onAck(clock[0], s);
        assertEquals(bw * 3 / 4, cc.pacingRate(), "draining the probe's queue");
        // the drain ends as soon as inflight is down to a BDP, well before its round trip
        clock[0] += 30 * MS;
        s = sample(bw, 100 * MS, delivered[0], delivered[0] += bdp / 5);
        s.bytesInFlight = bdp;
        cc.onAck(clock[0], s);
        assertEquals(bw, cc.pacingRate(), "cruising again");
    }

    @Test
    void bbrSendsTheFirstQuarterBdpAfterIdleAtTwiceItsRate() {
        BbrLite cc = new BbrLite(1233, 32, 100 * MS, 2.5);
        long[] clock = {0};
        long[] delivered = {0};
        long bw = 7_500_000L; // what a CPU-bound bulk run left as the estimate of a 100 Mbit/s link (lab)
        rounds(cc, 12, bw, 100 * MS, 0, clock, delivered);
        assertTrue(cc.state().startsWith("PROBE_BW"), cc.state());
        long steady = cc.pacingRate();
        assertTrue(steady <= bw * 5 / 4, "cruising at the model's rate: " + steady);
        cc.onPacketSent(clock[0], 1400, 10 * 1400);
        assertEquals(steady, cc.pacingRate(), "a packet sent behind others in flight starts nothing");
        // idle, then a response: its first packet leaves an empty pipe
        long quarterBdp = bw / 10 / 4;
        long sent = 0;
        cc.onPacketSent(clock[0], 1400, 0);
        for (sent = 1400; sent + 1400 < quarterBdp; sent += 1400) {
            assertTrue(cc.pacingRate() >= 2 * bw, "after idle, twice the model's rate: " + cc.pacingRate());
            cc.onPacketSent(clock[0], 1400, sent);
        }
        cc.onPacketSent(clock[0], 1400, sent);
        assertEquals(bw, cc.pacingRate(), "a quarter BDP later, the model's rate again (a cruise, not a probe)");
    }

    /** Acks at {@code rate} (bytes/s) for {@code spanNs}, one per 1233-byte packet, all of the first round. */
    private static void resumeAcks(BbrLite cc, long[] clock, long[] delivered, long rate, long spanNs) {
        resumeAcks(cc, clock, delivered, rate, spanNs, false, false);
    }

    private static void resumeAcks(BbrLite cc, long[] clock, long[] delivered, long rate, long spanNs,
                                   boolean appLimited, boolean backlogged) {
        resumeAcks(cc, clock, delivered, rate, spanNs, appLimited, backlogged, rate / 10); // a round trip in flight
    }

    private static void resumeAcks(BbrLite cc, long[] clock, long[] delivered, long rate, long spanNs,
                                   boolean appLimited, boolean backlogged, long inflight) {
        int packets = (int) (rate * spanNs / 1_000_000_000L / 1233);
        for (int i = 0; i < packets; i++) {
            clock[0] += spanNs / packets;
            delivered[0] += 1233;
            RateSample s = sample(rate, 100 * MS, 0, delivered[0]);
            s.ackedBytes = 1233;
            s.appLimited = appLimited;
            s.backlogged = backlogged;
            s.bytesInFlight = inflight;
            cc.onAck(clock[0], s);
        }
    }

    @Test
    void theFirstRoundTripsPacketsConfirmAResumeIfDataWaitedBehindThem() {
        long saved = 6_250_000L;
        long[] clock = {0};
        long[] delivered = {0};
        // Sent from idle, so app-limited by the sampler's rule until the first is acked, but with the transfer's data
        // queued behind each: the pacer set their rate, and their acks say whether the path carries it.
        BbrLite cc = new BbrLite(1233, 32, 100 * MS, 2.5);
        cc.resume(new dev.wanx.transport.path.PathRecord(saved, 100 * MS, 0, 0), true);
        resumeAcks(cc, clock, delivered, saved / 2, 30 * MS, true, true);
        assertEquals(CarefulResume.State.VALIDATED, cc.resumeState());
        // With nothing queued (a trickle), the same acks say nothing about the path.
        BbrLite trickle = new BbrLite(1233, 32, 100 * MS, 2.5);
        trickle.resume(new dev.wanx.transport.path.PathRecord(saved, 100 * MS, 0, 0), true);
        clock[0] = 0;
        delivered[0] = 0;
        resumeAcks(trickle, clock, delivered, saved / 2, 30 * MS, true, false);
        assertEquals(CarefulResume.State.UNVALIDATED, trickle.resumeState());
        // Nor do the acks of a short response, queued when sent but too small to fill a quarter of the jump's pipe:
        // they end before the window would, and read as a slow path.
        resumeAcks(trickle, clock, delivered, saved / 2, 30 * MS, true, true, 60_000);
        assertEquals(CarefulResume.State.UNVALIDATED, trickle.resumeState());
    }

    @Test
    void aResumeConfirmedCapsStartupAndOneRefutedStartsOverFromTheMeasuredRate() {
        long saved = 6_250_000L; // 50 Mbit/s remembered; paced at half that
        BbrLite cc = new BbrLite(1233, 32, 100 * MS, 2.5);
        cc.resume(new dev.wanx.transport.path.PathRecord(saved, 100 * MS, 0, 0), true);
        long[] clock = {0};
        long[] delivered = {0};
        resumeAcks(cc, clock, delivered, saved / 2, 20 * MS);
        assertEquals(CarefulResume.State.UNVALIDATED, cc.resumeState(), "an eighth of a round trip of acks is not enough");
        resumeAcks(cc, clock, delivered, saved / 2, 10 * MS);
        assertEquals(CarefulResume.State.VALIDATED, cc.resumeState());
        assertTrue(cc.bandwidthEstimate() >= saved / 2 * 9 / 10, "starts from the resumed rate: " + cc.bandwidthEstimate());
        assertTrue(cc.state().startsWith("STARTUP"), cc.state());
        assertEquals(saved * 5 / 4, cc.pacingRate(), "STARTUP probes on, but not past 1.25x the memory");

        // Behind a ~19 Mbit/s bottleneck the acks read its rate: the memory is refuted.
        BbrLite wrong = new BbrLite(1233, 32, 100 * MS, 2.5);
        wrong.resume(new dev.wanx.transport.path.PathRecord(saved, 100 * MS, 0, 0), true);
        clock[0] = 0;
        delivered[0] = 0;
        resumeAcks(wrong, clock, delivered, 2_400_000L, 30 * MS);
        assertEquals(CarefulResume.State.RETREATED, wrong.resumeState());
        assertTrue(wrong.bandwidthEstimate() <= 2_500_000L, "the measured rate, not the memory: " + wrong.bandwidthEstimate());
        // Once drained, STARTUP again from there (a slow receiver refutes a good path too), not PROBE_BW's slow climb.
        rounds(wrong, 1, 2_400_000L, 100 * MS, 0, clock, delivered);
        assertTrue(wrong.state().startsWith("STARTUP"), wrong.state());
        rounds(wrong, 4, 2_400_000L, 100 * MS, 0, clock, delivered); // no growth for three rounds: the pipe is full
        assertFalse(wrong.state().startsWith("STARTUP"), wrong.state());
    }

    @Test
    void probeRttKeepsTheOldMinRttUntilItHasANewOne() {
        BbrLite cc = new BbrLite(1233, 32, 100 * MS, 2.5);
        long[] clock = {0};
        long[] delivered = {0};
        long bw = 12_500_000L;
        rounds(cc, 12, bw, 100 * MS, 0, clock, delivered);
        rounds(cc, 100, bw, 101 * MS, 0, clock, delivered); // 10 s without a sample at the min: time to re-measure it
        assertTrue(cc.state().startsWith("PROBE_RTT"), cc.state());
        // Saved now (the path history does so every 5 s and at close), the record must still describe the path.
        assertEquals(100 * MS, cc.snapshot(0).minRttNs());
        long bdp = bw / 10;
        assertTrue(cc.congestionWindow() < bdp, "PROBE_RTT drains to about half a BDP: " + cc.congestionWindow());
        rounds(cc, 3, bw, 120 * MS, 0, clock, delivered); // the path now takes 120 ms
        assertTrue(cc.state().startsWith("PROBE_BW"), cc.state());
        assertEquals(120 * MS, cc.minRttNs(), "the phase's smallest sample is the new min RTT");
    }

    @Test
    void bbrTrustsTheFirstRttSampleOverTheHandshakeGuess() {
        // A handshake reply that crossed a re-send once made a 250 ms path look like 10 ms: every round then
        // looked queued, the bandwidth was shaved to nothing and DRAIN never ended (lab, 250 ms, 1 %).
        BbrLite cc = new BbrLite(1233, 32, 10 * MS, 2.5);
        long[] clock = {0};
        long[] delivered = {0};
        long bw = 12_500_000L;
        rounds(cc, 20, bw, 250 * MS, 0, clock, delivered);
        assertEquals(250 * MS, cc.minRttNs());
        assertTrue(cc.state().startsWith("PROBE_BW loss"), "cruising, no queue seen: " + cc.state());
        assertEquals(bw, cc.bandwidthEstimate());
        assertTrue(cc.congestionWindow() >= 2 * bw / 4, "cwnd >= 2 BDP at 250 ms: " + cc.congestionWindow());
    }

    @Test
    void bbrLeavesStartupWhenAQueueStandsEvenIfTheBandwidthStillSeemsToGrow() {
        BbrLite cc = new BbrLite(1233, 32, 100 * MS, 2.5);
        long[] clock = {0};
        long[] delivered = {0};
        long bw = 1_000_000L;
        for (int i = 0; i < 3; i++, bw *= 2) {
            rounds(cc, 1, bw, 100 * MS, 0, clock, delivered);
        }
        assertTrue(cc.state().startsWith("STARTUP"), cc.state());
        rounds(cc, 3, bw, 180 * MS, 0, clock, delivered); // the queue stands: RTT 1.8x min
        assertFalse(cc.state().startsWith("STARTUP"), "a standing queue ends STARTUP: " + cc.state());
    }

    @Test
    void bbrLeavesStartupAtOnceWhenAnOverflowShowsMidRound() {
        BbrLite cc = new BbrLite(1233, 32, 100 * MS, 2.5);
        long[] clock = {0};
        long[] delivered = {0};
        rounds(cc, 2, 1_000_000L, 100 * MS, 0, clock, delivered);
        assertTrue(cc.state().startsWith("STARTUP"), cc.state());
        cc.onLoss(clock[0], 3 * 1233, 0); // random loss, however bunched, is not an overflow
        assertTrue(cc.state().startsWith("STARTUP"), cc.state());
        cc.onLoss(clock[0], 25 * 1233, 2000 * 1233); // a long flight's 1 % reported by one early ack: not either
        assertTrue(cc.state().startsWith("STARTUP"), cc.state());
        cc.onLoss(clock[0] + MS, 300 * 1233, 1700 * 1233); // a run of drops from the bottleneck's full queue
        assertTrue(cc.state().startsWith("DRAIN"), "the re-sends go at DRAIN's pace: " + cc.state());
    }

    @Test
    void bbrLeavesStartupOnARoundOfHeavyLoss() {
        BbrLite cc = new BbrLite(1233, 32, 100 * MS, 2.5);
        long[] clock = {0};
        long[] delivered = {0};
        rounds(cc, 2, 1_000_000L, 100 * MS, 0, clock, delivered);
        for (int i = 0; i < 3; i++) { // rounds of 160 packets, 40 of them lost: 20 %
            clock[0] += 100 * MS;
            long prior = delivered[0];
            delivered[0] += 200_000;
            cc.onLoss(clock[0], 40 * 1233, 0);
            RateSample s = sample(2_000_000L, 100 * MS, prior, delivered[0]);
            s.ackedBytes = 120 * 1233;
            cc.onAck(clock[0], s);
        }
        assertFalse(cc.state().startsWith("STARTUP"), cc.state());
        assertTrue(cc.bandwidthEstimate() <= 2_000_000L, "loss never inflates the estimate: " + cc.bandwidthEstimate());
    }

    @Test
    void anAckingSideIgnoresTheQueueOfTheOtherDirection() {
        BbrLite cc = new BbrLite(1233, 32, 100 * MS, 2.5);
        long[] clock = {0};
        long[] delivered = {0};
        long bw = 2_500_000L; // 20 Mbit/s
        rounds(cc, 12, bw, 100 * MS, 0, clock, delivered);
        assertEquals(bw, cc.bandwidthEstimate());
        // A download runs the other way: this side only sends CREDIT, app-limited, and its RTT samples carry the
        // download's standing queue (200 ms) and the odd lost packet.
        for (int i = 0; i < 40; i++) {
            clock[0] += 200 * MS;
            long prior = delivered[0];
            delivered[0] += 1200;
            cc.onLoss(clock[0], i % 3 == 0 ? 1200 : 0, 0);
            RateSample s = sample(6_000, 200 * MS, prior, delivered[0]);
            s.appLimited = true;
            cc.onAck(clock[0], s);
        }
        assertEquals(bw, cc.bandwidthEstimate(), "another direction's queue must not shave this one's rate");
        assertFalse(cc.state().contains("queue"), cc.state());
    }

    @Test
    void startupSurvivesAnAckOnlyPhase() {
        BbrLite cc = new BbrLite(1233, 32, 100 * MS, 2.5);
        long[] clock = {0};
        long[] delivered = {0};
        for (int i = 0; i < 20; i++) { // a few app-limited packets per round, one in three lost, RTT doubled
            clock[0] += 200 * MS;
            long prior = delivered[0];
            delivered[0] += 2400;
            cc.onLoss(clock[0], i % 3 == 0 ? 1200 : 0, 0);
            RateSample s = sample(12_000, 200 * MS, prior, delivered[0]);
            s.appLimited = true;
            cc.onAck(clock[0], s);
        }
        assertTrue(cc.state().startsWith("STARTUP"), "still probing for the rate when real data comes: " + cc.state());
    }

    @Test
    void bbrBacksOffWhenQueueingDelayRises() {
        BbrLite cc = new BbrLite(1233, 32, 100 * MS, 2.5);
        long[] clock = {0};
        long[] delivered = {0};
        long bw = 12_500_000L;
        rounds(cc, 12, bw, 100 * MS, 0, clock, delivered);
        long before = cc.bandwidthEstimate();
        rounds(cc, 15, bw / 2, 200 * MS, 0, clock, delivered); // a competing flow: half the rate, RTT doubled by a queue
        assertTrue(cc.bandwidthEstimate() < before * 6 / 10, "rising queue delay must cut the rate: " + cc.bandwidthEstimate());
    }

    @Test
    void aLateWakeUpMayCatchUpFourMillisecondsButNoMore() {
        Pacer p = new Pacer(4 * 1200);
        p.setRate(12_000_000); // one 1200-byte packet per 100 us
        p.delayNs(0, 1200);
        int sent = 0;
        while (p.delayNs(3_000_000, 1200) == 0) { // the event loop woke 3 ms later
            p.onSent(3_000_000, 1200);
            sent++;
        }
        assertTrue(sent >= 30, "3 ms of rate may go at once, or a late loop caps the rate: " + sent);
        sent = 0;
        while (p.delayNs(100_000_000, 1200) == 0) { // idle for ~100 ms: still one bucket, not 100 ms of rate
            p.onSent(100_000_000, 1200);
            sent++;
        }
        assertTrue(sent <= 40, "at most 4 ms of rate in one burst: " + sent);
    }

    @Test
    void aRateSampleOverLessThanMinRttIsNoSample() {
        DeliveryRateSampler d = new DeliveryRateSampler();
        SentPacket a = sent(d, 0, 1200, 0);
        SentPacket b = sent(d, 1 * MS, 1200, 1200);
        d.beginAck();
        d.onPacketAcked(a, 10 * MS);
        d.onPacketAcked(b, 10 * MS);
        assertEquals(0, d.endAck(10 * MS, 20 * MS, 0).deliveryRate, "10 ms of acks on a 20 ms path: bunched, not a rate");
        SentPacket c = sent(d, 11 * MS, 1200, 0);
        d.beginAck();
        d.onPacketAcked(c, 40 * MS);
        assertTrue(d.endAck(29 * MS, 20 * MS, 0).deliveryRate > 0, "30 ms of acks: a sample");
    }

    @Test
    void pacerSpacesPacketsAtTheRateWithSmallBursts() {
        Pacer p = new Pacer(4 * 1200);
        p.setRate(12_000_000); // 12 MB/s: one 1200-byte packet per 100 us
        long now = 0;
        int sent = 0;
        while (p.delayNs(now, 1200) == 0) {
            p.onSent(now, 1200);
            sent++;
        }
        assertTrue(sent <= 10, "a fresh bucket holds only a few packets: " + sent);
        long wait = p.delayNs(now, 1200);
        assertTrue(wait > 0 && wait <= 100_000, "next packet within one packet time: " + wait);
        // over 100 ms the pacer releases ~rate x time
        long bytes = 0;
        for (now = 0; now < 100 * MS; now += 10_000) {
            while (p.delayNs(now, 1200) == 0) {
                p.onSent(now, 1200);
                bytes += 1200;
            }
        }
        assertTrue(Math.abs(bytes - 1_200_000) < 30_000, "paced bytes in 100 ms: " + bytes);
    }
}
