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

    @Test void longLinksGetFourRoundTrips() {
        PeerLiveness l = new PeerLiveness(1000 * MS, 0);
        assertEquals(1000 * MS, l.limitNs(0));
        assertEquals(1000 * MS, l.limitNs(100 * MS));
        assertEquals(2400 * MS, l.limitNs(600 * MS));
    }
}
