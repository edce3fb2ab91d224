package dev.wanx.transport.udp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The path-MTU search as a state machine: time advanced by hand, the "path" is a size limit in the test. */
class PathMtuTest {
    private static final long MS = 1_000_000L;

    @Test
    void firstProbeIsTheLargestAndOneAckEndsTheSearch() {
        PathMtu m = new PathMtu(1200, 1399, 0);
        assertEquals(1200, m.current());
        assertEquals(1399, m.probeDue(0));
        m.onProbeSent(5, 1399);
        assertEquals(0, m.probeDue(10 * MS), "one probe at a time");
        m.onProbeAcked(4); // not the probe
        assertEquals(1200, m.current());
        m.onProbeAcked(5);
        assertEquals(1399, m.current());
        assertEquals(0, m.probeDue(20 * MS));
        assertEquals(0, m.probeDue(700_000 * MS), "the largest is reached: nothing to look for, ever");
    }

    /** Runs the search against a path that carries payloads up to {@code limit}; returns probes sent. */
    private static int search(PathMtu m, int limit, long[] clock) {
        long pn = 100;
        for (int i = 0; i < 200; i++) {
            clock[0] += 100 * MS;
            int size = m.probeDue(clock[0]);
            if (size == 0) {
                return m.probesSent();
            }
            m.onProbeSent(++pn, size);
            if (size <= limit) {
                m.onProbeAcked(pn);
            } else {
                m.onProbeLost(pn, clock[0], true);
            }
        }
        throw new AssertionError("search did not end: " + m);
    }

    @Test
    void searchConvergesJustBelowAnyPathLimit() {
        for (int limit : new int[] {1200, 1201, 1250, 1300, 1350, 1372, 1398}) {
            PathMtu m = new PathMtu(1200, 1399, 0);
            long[] clock = {0};
            int probes = search(m, limit, clock);
            // Below the largest, packets leave room for a REPAIR (a full group's is REPAIR_FIXED bytes longer).
            int payload = m.current();
            assertTrue(payload == 1200 || payload + Fec.REPAIR_FIXED <= limit, limit + ": " + m);
            assertTrue(payload + Fec.REPAIR_FIXED > limit - PathMtu.RESOLUTION
                    || payload == 1200 && limit < 1200 + Fec.REPAIR_FIXED + PathMtu.RESOLUTION, limit + ": " + m);
            // the largest three times, then a binary search where each failing size costs three probes
            assertTrue(probes <= 3 + 3 * 5 + 5, limit + ": " + probes + " probes");
        }
    }

    @Test
    void aSearchStoppedBelowTheLargestLooksAgainAfterTheRaiseTimer() {
        PathMtu m = new PathMtu(1200, 1399, 0);
        long[] clock = {0};
        search(m, 1300, clock);
        int found = m.current();
        assertEquals(0, m.probeDue(clock[0] + PathMtu.RAISE_NS - MS));
        int again = m.probeDue(clock[0] + PathMtu.RAISE_NS + MS);
        assertTrue(again > found, "looks upward again: " + again + " after " + found);
        // the path grew meanwhile: the new search finds the largest
        search(m, 1399, new long[] {clock[0] + PathMtu.RAISE_NS});
        assertEquals(1399, m.current());
    }

    @Test
    void restartGoesBackToTheBaseAndProbesAfterASettlingDelay() {
        PathMtu m = new PathMtu(1200, 1399, 0);
        long[] clock = {0};
        search(m, 1399, clock);
        assertEquals(1399, m.current());
        m.restart(clock[0]);
        assertEquals(1200, m.current());
        assertEquals(0, m.probeDue(clock[0] + PathMtu.RESTART_DELAY_NS - MS));
        assertEquals(1399, m.probeDue(clock[0] + PathMtu.RESTART_DELAY_NS));
    }

    @Test
    void aProbeInFlightIsForgottenOnRestart() {
        PathMtu m = new PathMtu(1200, 1399, 0);
        m.onProbeSent(9, m.probeDue(0));
        m.restart(MS);
        assertFalse(m.isProbe(9));
        m.onProbeAcked(9); // late ack of the old path's probe: ignored
        assertEquals(1200, m.current());
    }

    @Test
    void noRoomAboveTheBaseMeansNoProbes() {
        PathMtu m = new PathMtu(1200, 1200, 0);
        assertEquals(0, m.probeDue(0));
        assertEquals(0, m.probeDue(700_000 * MS));
        assertEquals(0, m.probesSent());
    }

    @Test
    void helloSaysHowFarAPeerTakesAndOldHellosMeanTheBase() {
        assertEquals(1399, HandshakePacket.helloMaxPayload(HandshakePacket.writeHello(1, 1399)));
        assertEquals(1200, HandshakePacket.helloMaxPayload(HandshakePacket.writeHello(1, 1000)));
        assertEquals(1200, HandshakePacket.helloMaxPayload(new byte[3]));
    }

    @Test
    void helloSaysItReadsFilledWithoutChangingTheMaxPayload() {
        byte[] hello = HandshakePacket.writeHello(1, 1399);
        assertTrue(HandshakePacket.helloReadsFilled(hello));
        byte[] old = hello.clone();
        old[9] &= 0x7f; // as an end from before FILLED writes it
        assertFalse(HandshakePacket.helloReadsFilled(old));
        assertEquals(1399, HandshakePacket.helloMaxPayload(old));
        // What that older end reads from ours: a larger max, which it caps by its own (never above 1399)
        int oldReading = Math.max(1200, ((hello[9] & 0xff) << 8) | (hello[10] & 0xff));
        assertTrue(oldReading > 1399, "an older end's ceiling is min(its own, ours): unchanged");
    }

    @Test
    void helloSaysItKeepsATailWithoutChangingTheMaxPayload() {
        byte[] hello = HandshakePacket.writeHello(1, 1399);
        assertTrue(HandshakePacket.helloKeepsTail(hello));
        assertEquals(1399, HandshakePacket.helloMaxPayload(hello));
        byte[] old = hello.clone();
        old[9] &= (byte) 0xbf; // as an end from before tail parity writes it (FILLED still set)
        assertFalse(HandshakePacket.helloKeepsTail(old));
        assertTrue(HandshakePacket.helloReadsFilled(old));
        assertEquals(1399, HandshakePacket.helloMaxPayload(old));
        // an end from before the bit reads 15 bits of max payload: larger than ours, capped by its own
        int olderReading = Math.max(1200, ((hello[9] & 0x7f) << 8) | (hello[10] & 0xff));
        assertTrue(olderReading > 1399);
    }

    @Test
    void helloSaysItTakesWideRowsWithoutChangingTheMaxPayload() {
        byte[] hello = HandshakePacket.writeHello(1, UdpOptions.MAX_PAYLOAD);
        assertTrue(HandshakePacket.helloReadsWideRows(hello));
        assertEquals(UdpOptions.MAX_PAYLOAD, HandshakePacket.helloMaxPayload(hello));
        byte[] old = hello.clone();
        old[9] &= (byte) 0xf7; // as an end from before wide rows writes it (the other bits still set)
        assertFalse(HandshakePacket.helloReadsWideRows(old));
        assertTrue(HandshakePacket.helloReadsShort(old));
        assertEquals(UdpOptions.MAX_PAYLOAD, HandshakePacket.helloMaxPayload(old));
        // an end from before the bit reads 12 bits of max payload: 2048 more than ours, capped by its own
        int olderReading = Math.max(1200, ((hello[9] & 0x0f) << 8) | (hello[10] & 0xff));
        assertEquals(UdpOptions.MAX_PAYLOAD + 2048, olderReading);
    }
}
