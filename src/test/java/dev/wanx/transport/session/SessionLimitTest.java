package dev.wanx.transport.session;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Session credit's numbers (SESSION_MAX and BOUND), both ways, without a session. */
class SessionLimitTest {
    private static final long W = 8 << 20;
    private final SessionLimit limit = new SessionLimit(W);

    @Test void aSenderIsHeldOnlyOnceItBoundItself() {
        limit.onSent(20L << 20);
        limit.onPeerMax(W);
        assertEquals(Long.MAX_VALUE, limit.room(), "an end that never sent BOUND is free: its peer does not count on it");
        assertEquals(20L << 20, limit.bind(), "BOUND carries what it had sent");
        assertEquals(0, limit.room(), "past the peer's max already: it waits until the max passes what it sent");
        assertFalse(limit.onPeerMax(W + 1), "still below what it had sent");
        assertTrue(limit.onPeerMax((20L << 20) + 100));
        assertEquals(100, limit.room());
        assertEquals(20L << 20, limit.bind(), "binding twice keeps the first point");
    }

    @Test void theMaxIsCumulativeSoAnOlderOneReorderedChangesNothing() {
        limit.bind();
        assertTrue(limit.onPeerMax(W));
        assertFalse(limit.onPeerMax(W / 2));
        assertEquals(W, limit.room());
        limit.onSent(W);
        assertEquals(0, limit.room());
    }

    @Test void aReceiverChecksThePeerOnlyFromItsBound() {
        assertEquals(W, limit.start());
        assertTrue(limit.onReceived(W + 1), "not bound yet: no session limit (its streams' credit holds it)");
        limit.onPeerBound(W + 1);
        assertTrue(limit.peerBound());
        assertFalse(limit.onReceived(1), "past max(granted, what it had sent when it bound)");
    }

    @Test void aBoundPeerMayUseWhatItHadSentWhenItBound() {
        limit.start();
        limit.onPeerBound(W + 10);
        assertTrue(limit.onReceived(W + 10), "data sent before the BOUND, arriving after it");
        assertFalse(limit.onReceived(1));
    }

    @Test void grantsFollowReleasesAnEighthOfTheWindowAtATime() {
        limit.start();
        limit.onReceived(W);
        limit.onReleased(W / 8 - 1);
        assertEquals(-1, limit.nextGrant(), "no BOUND from the peer: no updates either");
        limit.onPeerBound(0);
        assertEquals(-1, limit.nextGrant(), "less than an eighth released");
        limit.onReleased(1);
        assertEquals(W + W / 8, limit.nextGrant());
        assertEquals(-1, limit.nextGrant(), "nothing new released");
        assertEquals(W - W / 8, limit.held());
    }

    @Test void anEndThatSentNoMaxSendsNoUpdates() {
        limit.onPeerBound(0); // only a peer that saw our FEATURES bit binds, and that end sent a first max
        limit.onReleased(W);
        assertEquals(-1, limit.nextGrant());
    }
}
