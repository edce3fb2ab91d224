package dev.wanx.transport.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MuxOptionsTest {
    private static final long MB = 1L << 20;

    @Test void aBudgetAboveTheLargestWindowKeepsTheRest() {
        MuxOptions d = MuxOptions.defaults();
        MuxOptions o = d.withPeerSilenceMs(1500).withSessionBudget(256 * MB);
        assertEquals(256 * MB, o.sessionBudget());
        assertEquals(d.maxWindow(), o.maxWindow());
        assertEquals(d.sendHighWater(), o.sendHighWater());
        assertEquals(d.sendLowWater(), o.sendLowWater());
        assertEquals(d.maxPeerStreams(), o.maxPeerStreams());
        assertEquals(1500, o.peerSilenceMs());
        assertEquals(d.maxWindow(), d.withSessionBudget(d.maxWindow()).maxWindow(), "equal to it: unchanged");
    }

    @Test void aBudgetBelowTheLargestWindowLowersTheWindowToIt() {
        MuxOptions o = MuxOptions.defaults().withSessionBudget(8 * MB);
        assertEquals(8 * MB, o.sessionBudget());
        assertEquals(8 * MB, o.maxWindow());
        MuxOptions least = MuxOptions.defaults().withSessionBudget(MuxOptions.INITIAL_WINDOW);
        assertEquals(MuxOptions.INITIAL_WINDOW, least.maxWindow());
        assertEquals(0, least.earlyAllowance(), "a window this small has no early credit to give");
    }

    @Test void aBudgetBelowTheInitialWindowOrAboveTheMaximumIsRefused() {
        MuxOptions d = MuxOptions.defaults();
        assertThrows(IllegalArgumentException.class, () -> d.withSessionBudget(MuxOptions.INITIAL_WINDOW - 1));
        assertThrows(IllegalArgumentException.class, () -> d.withSessionBudget(0));
        assertThrows(IllegalArgumentException.class, () -> d.withSessionBudget(-MB));
        assertThrows(IllegalArgumentException.class, () -> d.withSessionBudget(MuxOptions.MAX_SESSION_BUDGET + 1));
        assertEquals(MuxOptions.MAX_SESSION_BUDGET, d.withSessionBudget(MuxOptions.MAX_SESSION_BUDGET).sessionBudget());
    }
}
