package dev.wanx.transport.udp;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bulk transfer's last round trip on a lossy path (simulated, virtual time): with tail parity its losses are rebuilt
 * at the receiver, so the transfer ends about half a round trip after its last new packet (the last packet's way
 * there), not a round trip later behind re-sends. An older peer (no KEEPS_TAIL in its hello) gets none.
 */
class SimTailTest {
    private static ResourceLeakDetector.Level saved;

    @BeforeAll
    static void fast() {
        saved = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED); // millions of buffers: paranoid costs minutes
    }

    @AfterAll
    static void restore() { ResourceLeakDetector.setLevel(saved); }

    @Test
    void aBulkRunsTailIsRebuiltNotReSent() {
        double worstWith = 0;
        double worstWithout = 0;
        for (long seed = 1; seed <= 3; seed++) {
            SimTail.Result with = SimTail.run(20, 100, 0.01, 3, seed, true);
            SimTail.Result without = SimTail.run(20, 100, 0.01, 3, seed, false);
            assertTrue(with.tailRepairs() > 0, "seed " + seed + ": " + with);
            assertEquals(0, without.tailRepairs(), "an older peer gets no tail parity: " + without);
            assertTrue(with.tailRtts() < 0.8, "seed " + seed + ": " + with + " | without: " + without);
            worstWith = Math.max(worstWith, with.tailRtts());
            worstWithout = Math.max(worstWithout, without.tailRtts());
            assertTrue((double) with.wire() / with.delivered() < (double) without.wire() / without.delivered() + 0.02,
                    "tail parity costs at most 2 % more on the wire: " + with + " | without: " + without);
        }
        assertTrue(worstWithout > 1.2, "the setup has a tail to fix: without tail parity the worst tail is " + worstWithout + " RTT");
    }
}
