package dev.wanx.transport.session;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The numbers behind ALLOWANCE, without a session. */
class EarlyCreditTest {
    @Test void takesUpToItsShareOfWhatThePeerGrantedAndNoMore() {
        EarlyCredit c = new EarlyCredit(3);
        assertEquals(0, c.take(), "nothing granted yet (an end from before ALLOWANCE)");
        c.onPeerAllowance(7);
        assertEquals(3, c.take());
        assertEquals(3, c.take());
        assertEquals(1, c.take());
        assertEquals(0, c.take());
        c.onPeerAllowance(5); // an older ALLOWANCE, reordered
        assertEquals(0, c.take());
        c.onPeerAllowance(10);
        assertEquals(3, c.take());
    }

    @Test void givesBackWhatOpensTookOnlyWhileTheBudgetHasRoom() {
        EarlyCredit c = new EarlyCredit(3);
        assertEquals(6, c.start(6));
        assertTrue(c.claim(3));
        assertTrue(c.claim(3));
        assertFalse(c.claim(1), "all of it taken");
        assertEquals(-1, c.giveBack(0), "no room: owed");
        assertTrue(c.owes());
        assertEquals(10, c.giveBack(4), "room for 4 of the 6 taken");
        assertTrue(c.owes());
        assertEquals(-1, c.giveBack(4), "the 4 given back are unclaimed and fill that room");
        assertEquals(12, c.giveBack(100));
        assertFalse(c.owes());
    }

    @Test void bytesAheadOfTheirOpenAreHeldWithinTheUnclaimedAllowance() {
        EarlyCredit c = new EarlyCredit(3);
        c.start(6);
        assertEquals(4, c.hold(0, 4), "stream a: 4 beyond its credit");
        assertEquals(4, c.hold(4, 2), "a smaller excess of the same stream changes nothing");
        assertEquals(-1, c.hold(0, 3), "stream b: 3 more would pass the 6 not yet claimed");
        assertEquals(2, c.hold(0, 2));
        c.release(4); // a's OPEN came
        assertTrue(c.claim(4));
        assertEquals(-1, c.hold(2, 3), "2 left unclaimed, b holds 2 already");
        c.release(2);
        assertEquals(2, c.hold(0, 2));
    }
}
