package dev.wanx.transport.udp;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The carrier's reason to exist, as a regression test in virtual time: a 100 Mbit/s bottleneck (1-BDP
 * drop-tail queue), 100 ms RTT, 1 % random loss, where TCP CUBIC gets ~2 Mbit/s. Goodput counts delivered
 * frame bytes. Leak detection is off here only for speed (other tests run the same code paths with it on).
 * 3 % loss and 250 ms are reported by {@link SimGoodput}'s main.
 */
class SimGoodputTest {
    private static ResourceLeakDetector.Level saved;

    @BeforeAll
    static void fast() {
        saved = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }

    @AfterAll
    static void restore() { ResourceLeakDetector.setLevel(saved); }

    @Test
    void hundredMbitHundredMsOnePercentLoss() {
        SimGoodput.Result r = SimGoodput.run(100, 100, 0.01, 8, 11);
        System.out.println(r.line());
        assertTrue(r.goodputMbit() >= 85, r.line());
        assertTrue(r.steadyMbit() >= 90, r.line());
        assertTrue(r.steadyWireRatio() <= 1.06, r.line());
        assertTrue(r.wireRatio() <= 1.12, "startup overshoot included: " + r.line());
    }
}
