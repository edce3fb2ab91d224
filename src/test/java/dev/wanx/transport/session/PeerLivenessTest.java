package dev.wanx.transport.session;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class PeerLivenessTest {
    private static final long MS = 1_000_000L;

    @Test void silentPeerAfterAnOpenIsDead() {
        PeerLiveness l = new PeerLiveness(1000 * MS, 0);
        l.onHeard(10 * MS);
        assertTrue(l.onLocalOpen(100 * MS), "first open starts a check");
        assertFalse(l.onLocalOpen(150 * MS), "a second open rides on the running check");
        assertEquals(PeerLiveness.Verdict.DEAD, l.onCheck(1100 * MS, true));
        assertEquals(1090 * MS, l.silentForNs(1100 * MS));
    }

    @Test void anAnswerKeepsItAliveAndEndsTheCheck() {
        PeerLiveness l = new PeerLiveness(1000 * MS, 0);
        l.onLocalOpen(100 * MS);
        l.onHeard(160 * MS); // the PONG
        assertEquals(PeerLiveness.Verdict.ALIVE, l.onCheck(1100 * MS, false));
        assertTrue(l.onLocalOpen(2000 * MS), "the next open starts a fresh check");
    }

    @Test void opensAfterTheCheckBeganAreCheckedAgain() {
        PeerLiveness l = new PeerLiveness(1000 * MS, 0);
        l.onLocalOpen(100 * MS);
        l.onHeard(150 * MS);
        l.onLocalOpen(900 * MS); // heard-from was before this open
        assertEquals(PeerLiveness.Verdict.CHECK_AGAIN, l.onCheck(1100 * MS, true));
        assertEquals(PeerLiveness.Verdict.DEAD, l.onCheck(2100 * MS, true), "and nothing came after the second ping");
    }

    @Test void streamsMovingDataGetCheckedWhenThePeerFallsSilent() {
        PeerLiveness l = new PeerLiveness(1000 * MS, 0);
        assertFalse(l.onTick(500 * MS, 1000 * MS), "no data yet: nothing to check");
        l.onData(1000 * MS);
        l.onHeard(1000 * MS);
        assertFalse(l.onTick(1200 * MS, 1000 * MS), "heard 200 ms ago: under a quarter of the limit");
        assertTrue(l.onTick(1300 * MS, 1000 * MS), "silent for 300 ms while data moved: ping");
        assertFalse(l.onTick(1400 * MS, 1000 * MS), "one check at a time");
        assertEquals(PeerLiveness.Verdict.DEAD, l.onCheck(2300 * MS, false), "nothing since the ping: the far is gone");
    }

    @Test void aQuietStreamIsNotPinged() {
        PeerLiveness l = new PeerLiveness(1000 * MS, 0);
        l.onData(1000 * MS);
        l.onHeard(1000 * MS);
        assertFalse(l.onTick(3100 * MS, 1000 * MS), "no data for more than two limits: an idle stream, leave the link quiet");
    }

    @Test void anAnsweredTickCheckEndsAlive() {
        PeerLiveness l = new PeerLiveness(1000 * MS, 0);
        l.onData(0);
        assertTrue(l.onTick(300 * MS, 1000 * MS));
        l.onHeard(350 * MS);
        assertEquals(PeerLiveness.Verdict.ALIVE, l.onCheck(1300 * MS, false));
        assertTrue(l.onTick(1400 * MS, 1000 * MS), "data within two limits and silent again since the PONG: a new check");
    }

    @Test void theTicksCheckWaitsHalfTheLimitOrFourRoundTrips() {
        PeerLiveness l = new PeerLiveness(1000 * MS, 0);
        assertEquals(500 * MS, l.tickWindowNs(50 * MS));
        assertEquals(2400 * MS, l.tickWindowNs(600 * MS));
    }

    @Test void longLinksGetFourRoundTrips() {
        PeerLiveness l = new PeerLiveness(1000 * MS, 0);
        assertEquals(1000 * MS, l.limitNs(0));
        assertEquals(1000 * MS, l.limitNs(100 * MS));
        assertEquals(2400 * MS, l.limitNs(600 * MS));
    }
}
