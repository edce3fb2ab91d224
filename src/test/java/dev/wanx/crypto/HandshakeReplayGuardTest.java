package dev.wanx.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HandshakeReplayGuardTest {
    private static byte[] key(int n) {
        byte[] k = new byte[32];
        k[0] = (byte) n;
        k[1] = (byte) (n >> 8);
        return k;
    }

    @Test void timestampsMustStrictlyGrowPerPeer() {
        HandshakeReplayGuard g = new HandshakeReplayGuard();
        assertTrue(g.accept(key(1), 100));
        assertFalse(g.accept(key(1), 100), "replay of the same message");
        assertFalse(g.accept(key(1), 99), "older message");
        assertTrue(g.accept(key(1), 101));
        assertTrue(g.accept(key(2), 5), "peers are independent");
        assertFalse(g.accept(key(1), 100));
    }

    @Test void refusedMessageDoesNotMoveTheMark() {
        HandshakeReplayGuard g = new HandshakeReplayGuard();
        assertTrue(g.accept(key(1), 100));
        assertFalse(g.accept(key(1), 50));
        assertTrue(g.accept(key(1), 100 + 1));
    }

    @Test void boundedLeastRecentlyUsed() {
        HandshakeReplayGuard g = new HandshakeReplayGuard(2);
        assertTrue(g.accept(key(1), 10));
        assertTrue(g.accept(key(2), 10));
        assertFalse(g.accept(key(1), 10)); // touches key 1: key 2 is now the eldest
        assertTrue(g.accept(key(3), 10)); // evicts key 2
        assertEquals(2, g.size());
        assertFalse(g.accept(key(1), 10), "key 1 still remembered");
        assertTrue(g.accept(key(2), 10), "key 2 was forgotten (the documented cost of the bound)");
    }

    @Test void largeTableStaysBounded() {
        HandshakeReplayGuard g = new HandshakeReplayGuard(1000);
        for (int i = 0; i < 5000; i++) assertTrue(g.accept(key(i), i));
        assertEquals(1000, g.size());
    }

    @Test void badKeysAreRefusedNotThrown() {
        HandshakeReplayGuard g = new HandshakeReplayGuard();
        assertFalse(g.accept(null, 1));
        assertFalse(g.accept(new byte[31], 1));
    }
}
