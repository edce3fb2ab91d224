package dev.wanx.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplayWindowTest {
    @Test void inOrderAcceptedOnce() {
        ReplayWindow w = new ReplayWindow();
        for (long c = 0; c < 100_000; c++) assertTrue(w.accept(c));
        for (long c = 99_000; c < 100_000; c++) assertFalse(w.accept(c), "duplicate " + c);
        assertEquals(99_999, w.highest());
    }

    @Test void windowIsAtLeast2048() {
        assertTrue(new ReplayWindow().size() >= 2048);
        assertEquals(8128, new ReplayWindow().size());
        assertEquals(2048 - 64, new ReplayWindow(2048).size());
    }

    @Test void reorderedWithinWindowAccepted() {
        ReplayWindow w = new ReplayWindow();
        Random r = new Random(7);
        List<Long> batch = new ArrayList<>();
        for (long base = 0; base < 200_000; base += 4000) {
            batch.clear();
            for (long c = base; c < base + 4000; c++) batch.add(c);
            Collections.shuffle(batch, r);
            for (long c : batch) assertTrue(w.accept(c), "counter " + c);
            for (int i = 0; i < 100; i++) assertFalse(w.accept(batch.get(i)));
        }
    }

    @Test void tooOldRejectedEvenIfNeverSeen() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(w.accept(10_000));
        long edge = 10_000 - w.size();
        assertFalse(w.accept(edge), "exactly size behind");
        assertTrue(w.accept(edge + 1), "just inside");
        assertFalse(w.accept(0));
    }

    @Test void farJumpForgetsOldBitsButNotRecentOnes() {
        ReplayWindow w = new ReplayWindow();
        for (long c = 0; c < 64; c++) assertTrue(w.accept(c));
        assertTrue(w.accept(1L << 40));
        assertFalse(w.accept(63), "far behind now");
        assertTrue(w.accept((1L << 40) - 1), "in window, never seen");
        assertFalse(w.accept((1L << 40) - 1));
        // A jump of less than the ring must clear exactly the stale words: counters that alias an old set bit
        // (same ring slot, one lap later) must be accepted.
        ReplayWindow v = new ReplayWindow(128);
        for (long c = 0; c < 128; c++) assertTrue(v.accept(c));
        assertTrue(v.accept(128 + 63));
        for (long c = 128; c < 128 + 63; c++) assertTrue(v.accept(c), "slot reused after a lap: " + c);
        assertFalse(v.accept(127), "64 behind the highest with a 64-counter window");
    }

    @Test void negativeAndMaxCounters() {
        ReplayWindow w = new ReplayWindow();
        assertFalse(w.accept(-1));
        assertFalse(w.mayAccept(Long.MIN_VALUE));
        assertTrue(w.accept(Long.MAX_VALUE));
        assertFalse(w.accept(Long.MAX_VALUE));
        assertTrue(w.accept(Long.MAX_VALUE - 1));
    }

    @Test void mayAcceptDoesNotRecord() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(w.mayAccept(5));
        assertTrue(w.mayAccept(5));
        assertTrue(w.accept(5));
        assertFalse(w.mayAccept(5));
        assertEquals(5, w.highest());
    }

    @Test void matchesReferenceModelOnRandomTraffic() {
        for (int bits : new int[] {128, 2048, 8192}) {
            ReplayWindow w = new ReplayWindow(bits);
            Set<Long> seen = new HashSet<>();
            long highest = -1;
            Random r = new Random(bits);
            long cursor = 0;
            for (int i = 0; i < 200_000; i++) {
                long c;
                int kind = r.nextInt(10);
                if (kind < 6) c = cursor++;                              // in order
                else if (kind < 8) c = Math.max(0, cursor - r.nextInt(bits + 200)); // late or duplicate
                else if (kind < 9) c = cursor + r.nextInt(3 * bits);     // early
                else c = cursor += r.nextInt(100_000);                   // jump
                boolean expected = c > highest - (bits - 64) && !seen.contains(c);
                assertEquals(expected, w.mayAccept(c), "mayAccept " + c);
                assertEquals(expected, w.accept(c), "bits=" + bits + " i=" + i + " c=" + c + " highest=" + highest);
                if (expected) {
                    seen.add(c);
                    highest = Math.max(highest, c);
                }
            }
        }
    }

    @Test void badSizes() {
        assertThrows(IllegalArgumentException.class, () -> new ReplayWindow(100));
        assertThrows(IllegalArgumentException.class, () -> new ReplayWindow(64));
    }
}
