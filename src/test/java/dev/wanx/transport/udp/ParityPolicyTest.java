package dev.wanx.transport.udp;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** How many rows over how many packets each measured loss gets, and what that buys a 100 KB response. */
class ParityPolicyTest {
    /** A 100 KB response in full-size packets. */
    private static final int RESPONSE_PACKETS = 74;

    /** A policy that measured {@code loss} over 1500 quiet packets. */
    private static ParityPolicy measured(double loss, boolean wide) {
        ParityPolicy p = new ParityPolicy();
        p.wideRows(wide);
        int lost = (int) Math.round(loss * 1500);
        for (int i = 0; i < 1500; i++) {
            p.onSent(false);
            if (i < lost) p.onLost(true, true);
        }
        assertEquals(loss, p.randomLoss(), 0.0004);
        return p;
    }

    /** P(a 100 KB response waits a round trip for a re-send): full groups, then the shorter last one. */
    private static double responseWaits(ParityPolicy p, double q) {
        double ok = 1;
        for (int left = RESPONSE_PACKETS; left > 0; left -= p.groupSize()) {
            int n = Math.min(left, p.groupSize());
            ok *= 1 - ParityPolicy.groupFails(n, p.rows(n), q);
        }
        return 1 - ok;
    }

    @Test void anOlderPeerGetsAtMostThreeRowsAndSmallerGroupsAboveTwoPercent() {
        assertEquals(2, measured(0.004, false).rows());
        assertEquals(3, measured(0.01, false).rows());
        assertEquals(16, measured(0.01, false).groupSize());
        assertEquals(3, measured(0.03, false).rows());
        assertEquals(8, measured(0.03, false).groupSize());
        assertEquals(3, measured(0.08, false).rows());
    }

    @Test void lowLossIsTheSameForBothKindsOfPeer() {
        for (double loss : new double[] {0.001, 0.003}) {
            assertEquals(measured(loss, false).rows(), measured(loss, true).rows(), "at " + loss);
            assertEquals(16, measured(loss, true).groupSize());
        }
    }

    /**
     * From a reading of 0.2 % to 6 %, a peer that takes wide rows has a 100 KB response wait a round trip less than
     * once in a thousand even if the true loss is 1.5 times the reading (the lab's 3 % reads 1.6-3.1 %: losses in a
     * run, or beside a queue, count as congestion), and from 2 % to 4 % pays no more parity than three rows per 8
     * would. Three rows per 8 wait ~1 in 440 at a true 3 %.
     */
    @Test void wideRowsKeepResponsesFromWaitingUpToSixPercent() {
        for (int tenths = 2; tenths <= 60; tenths++) {
            double reading = tenths / 1000.0;
            ParityPolicy wide = measured(reading, true);
            assertTrue(responseWaits(wide, 1.5 * reading) < 1e-3,
                    reading + ": " + wide.rows() + " rows per " + wide.groupSize() + " wait " + responseWaits(wide, 1.5 * reading));
            if (reading >= ParityPolicy.WIDE_GROUP_MAX_LOSS && reading < 0.04) {
                assertTrue(wide.rows() / (double) wide.groupSize() <= 3 / 8.0, "no more parity than 3 per 8 at " + reading);
            }
        }
        ParityPolicy narrow = measured(0.024, false);
        assertTrue(responseWaits(narrow, 0.03) > 2e-3, "3 per 8 at 3 %: " + responseWaits(narrow, 0.03));
        assertTrue(responseWaits(measured(0.024, true), 0.03) < 2e-4);
    }

    /** A reading that drifts just below a step keeps its rows; one a fifth below it loses them. */
    @Test void rowsStepDownOnlyWellBelowTheirStep() {
        ParityPolicy p = measured(0.0082, false);
        assertEquals(3, p.rows());
        for (int i = 0; i < 40; i++) p.onSent(false); // 12 losses in 1540: 0.0078
        assertTrue(p.randomLoss() < ParityPolicy.THREE_ROWS);
        assertEquals(3, p.rows(), "just below the step: still three");
        for (int i = 0; i < 500; i++) p.onSent(false); // 12 in 2040, then halved: ~0.0059
        assertTrue(p.randomLoss() * 1.25 < ParityPolicy.THREE_ROWS, "" + p.randomLoss());
        assertEquals(2, p.rows());
        assertEquals(2, measured(0.0073, false).rows(), "a reading that never reached the step: two");
    }

    /**
     * A group shorter than the policy's (a response's last packets, a one-packet request) gets the fewest rows that
     * fail it no more often than a full group with the table's rows, at 1.5 times the reading; never more.
     */
    @Test void aShortGroupGetsTheRowsItNeeds() {
        for (boolean wide : new boolean[] {false, true}) {
            for (int tenths = 1; tenths <= 60; tenths++) {
                double reading = tenths / 1000.0;
                ParityPolicy p = measured(reading, wide);
                int group = p.groupSize();
                int full = p.rows();
                double q = 1.5 * Math.max(p.randomLoss(), ParityPolicy.MIN_LOSS);
                double fullFails = ParityPolicy.groupFails(group, full, q);
                assertEquals(full, p.rows(group));
                for (int n = 1; n < group; n++) {
                    int r = p.rows(n);
                    String at = reading + (wide ? " wide" : " narrow") + ", " + n + " packets: " + r + " of " + full + " rows";
                    assertTrue(r >= 1 && r <= full, at);
                    assertTrue(r <= p.rows(n + 1), "more packets, no fewer rows: " + at);
                    if (r < full) assertTrue(ParityPolicy.groupFails(n, r, q) <= fullFails, "fails no more often: " + at);
                    if (r > 1) assertTrue(ParityPolicy.groupFails(n, r - 1, q) > fullFails, "one row less would: " + at);
                }
            }
        }
        ParityPolicy at3 = measured(0.03, true);
        assertEquals(6, at3.rows());
        assertEquals(3, at3.rows(1), "a one-packet request at 3 %: three copies, not six");
        assertTrue(at3.rows(10) < 6, "a 100 KB response's last 10 packets: " + at3.rows(10));
    }
}
