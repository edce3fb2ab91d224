package dev.wanx.transport.session;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class StreamTableTest {
    @Test void theNearHandsOutOddIdsAndTakesEvenOnesFromItsPeerOnce() {
        StreamTable t = new StreamTable(true);
        assertEquals(1, t.nextLocalId());
        assertEquals(3, t.nextLocalId());
        assertFalse(t.firstSightOfPeerId(5), "one of ours");
        assertFalse(t.firstSightOfPeerId(0));
        assertTrue(t.firstSightOfPeerId(4), "ids may arrive out of order");
        assertTrue(t.firstSightOfPeerId(2));
        assertFalse(t.firstSightOfPeerId(4), "seen: a finished stream");
        assertEquals(2, new StreamTable(false).nextLocalId());
    }

    @Test void countsOpenStreamsAndThePeersAmongThem() {
        StreamTable t = new StreamTable(false);
        MuxStream local = new MuxStream(null, t.nextLocalId(), null, true);
        MuxStream peer = MuxStream.placeholder(null, 1);
        t.add(local);
        t.add(peer);
        assertSame(peer, t.get(1));
        assertEquals(2, t.open());
        assertEquals(1, t.peerOpen());
        assertTrue(t.opensPending(), "the local stream has no OPEN_OK yet");
        local.opened.complete(local);
        assertFalse(t.opensPending());
        assertTrue(t.remove(peer));
        assertFalse(t.remove(peer), "already gone");
        assertEquals(1, t.open());
        assertEquals(0, t.peerOpen());
        assertEquals(2, t.total());
        assertEquals(1, t.all().size());
        assertNull(t.get(1));
    }
}
