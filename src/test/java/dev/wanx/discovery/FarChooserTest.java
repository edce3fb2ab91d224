package dev.wanx.discovery;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class FarChooserTest {
    private static final long MS = 1_000_000L;

    @Test void theFirstAnswerThatIsNotFullIsTakenAtOnce() {
        FarChooser<String> c = new FarChooser<>(3);
        FarChooser.Choice<String> choice = c.onAnswer(new FarChooser.Answer<>("near", 20 * MS, 30), 20 * MS);
        assertNotNull(choice, "one round trip: no waiting for slower fars");
        assertEquals("near", choice.answer().far());
        assertTrue(choice.reason().contains("lowest RTT (20 ms) of 3"), choice.reason());
        assertNull(c.onAnswer(new FarChooser.Answer<>("far", 60 * MS, 0), 60 * MS), "decided once");
    }

    @Test void aFarNearCapacityIsPassedOverWhenAnotherAnswersInTime() {
        FarChooser<String> c = new FarChooser<>(3);
        assertNull(c.onAnswer(new FarChooser.Answer<>("busy", 20 * MS, 95), 20 * MS));
        assertEquals(20 * MS + FarChooser.MIN_WAIT_NS, c.deadlineNs(), "waits at least 50 ms for another");
        FarChooser.Choice<String> choice = c.onAnswer(new FarChooser.Answer<>("idle", 45 * MS, 10), 45 * MS);
        assertEquals("idle", choice.answer().far());
        assertTrue(choice.reason().contains("faster ones near capacity"), choice.reason());
    }

    @Test void whenEveryAnswerIsFullTheLeastLoadedWinsAtTheDeadline() {
        FarChooser<String> c = new FarChooser<>(3);
        assertNull(c.onAnswer(new FarChooser.Answer<>("a", 100 * MS, 97), 100 * MS));
        assertNull(c.onAnswer(new FarChooser.Answer<>("b", 150 * MS, 92), 150 * MS));
        assertNull(c.onDeadline(150 * MS), "not yet: the wait is one RTT of the first");
        FarChooser.Choice<String> choice = c.onDeadline(200 * MS);
        assertEquals("b", choice.answer().far());
        assertTrue(choice.reason().contains("least loaded (92 %"), choice.reason());
    }

    @Test void allInDecidesWithoutWaiting() {
        FarChooser<String> c = new FarChooser<>(2);
        assertNull(c.onAnswer(new FarChooser.Answer<>("a", 10 * MS, 99), 10 * MS));
        FarChooser.Choice<String> choice = c.onFailure();
        assertEquals("a", choice.answer().far(), "the only answer, full or not, beats going direct");
    }

    @Test void noCapacityCountsAsRoom() {
        FarChooser<String> c = new FarChooser<>(2);
        assertEquals("x", c.onAnswer(new FarChooser.Answer<>("x", 5 * MS, -1), 5 * MS).answer().far());
    }

    @Test void everyFailureIsAFailedRound() {
        FarChooser<String> c = new FarChooser<>(2);
        assertNull(c.onFailure());
        assertFalse(c.allFailed());
        assertNull(c.onFailure());
        assertTrue(c.allFailed());
        assertFalse(c.decided());
    }
}
