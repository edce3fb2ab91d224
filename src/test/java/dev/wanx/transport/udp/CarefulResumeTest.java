package dev.wanx.transport.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wanx.transport.path.PathRecord;
import org.junit.jupiter.api.Test;

/**
 * Path history on a simulated link (virtual time): a known path is filled within a couple of round trips, a
 * remembered rate that no longer holds (100 Mbit/s remembered, 20 Mbit/s now) is dropped after its first
 * round trips without overloading the link more than a cold start does, and another kind of path is not resumed.
 */
class CarefulResumeTest {
    static final long RTT_MS = 100;

    /** One simulated transfer; {@code saved} null = unknown path. */
    static final class Run {
        final SimNet net;
        final long rate;
        final Runnable feed;

        Run(double mbit, PathRecord saved) {
            rate = (long) (mbit * 1e6 / 8);
            net = new SimNet(3, 0, 0, 0, RTT_MS * 500_000L, 0, 0, rate, rate * RTT_MS / 1000, UdpOptions.defaults(), true);
            if (saved != null) {
                net.a.conn.congestionControl().resume(saved, true);
            }
            feed = net.feeder(net.a, Integer.MAX_VALUE / 2, net.a.conn.maxFrameSize());
        }

        /** Time from the first send until a quarter round trip delivered at ≥ 90 % of the link rate. */
        long msTo90() {
            long step = RTT_MS * 1_000_000L / 4;
            long start = net.now;
            long before = net.b.receivedBytes;
            for (int i = 0; i < 200; i++) {
                net.runUntil(() -> false, step, feed);
                long got = net.b.receivedBytes - before;
                before = net.b.receivedBytes;
                if (got * 1e9 / step >= 0.9 * rate * 1200 / 1233) { // payload share of a full datagram
                    return (net.now - start) / 1_000_000L;
                }
            }
            return Long.MAX_VALUE;
        }

        BbrLite cc() { return (BbrLite) net.a.conn.congestionControl(); }
    }

    static PathRecord saved(double mbit, long minRttMs) {
        return new PathRecord((long) (mbit * 1e6 / 8), minRttMs * 1_000_000L, 0.01, 0);
    }

    @Test
    void aKnownPathIsFullWithinTwoRoundTrips() {
        Run cold = new Run(100, null);
        Run known = new Run(100, saved(100, RTT_MS));
        long coldMs = cold.msTo90();
        long knownMs = known.msTo90();
        System.out.printf("100 Mbit/s, %d ms RTT: 90 %% of the link after %d ms on a known path, %d ms on an unknown one%n",
                RTT_MS, knownMs, coldMs);
        assertEquals(CarefulResume.State.VALIDATED, known.cc().resumeState(), known.net.a.conn.debugState());
        assertTrue(knownMs <= 2 * RTT_MS, "known path: " + knownMs + " ms");
        assertTrue(coldMs >= 2 * knownMs, "an unknown path slow-starts: " + coldMs + " ms vs " + knownMs);
        known.net.close();
        cold.net.close();
    }

    @Test
    void staleHistoryOnASlowerLinkRetreatsAndDoesNotOverloadIt() {
        Run cold = new Run(20, null);
        Run stale = new Run(20, saved(100, RTT_MS));
        long fiveSeconds = 5_000_000_000L;
        cold.net.runUntil(() -> false, fiveSeconds, cold.feed);
        stale.net.runUntil(() -> false, fiveSeconds, stale.feed);
        ConnectionCounters c = cold.net.a.conn.counters;
        ConnectionCounters s = stale.net.a.conn.counters;
        double coldMbit = cold.net.b.receivedBytes * 8 / 5e6;
        double staleMbit = stale.net.b.receivedBytes * 8 / 5e6;
        System.out.printf("20 Mbit/s link, 100 Mbit/s remembered: %.1f Mbit/s, %d packets lost (unknown path: %.1f Mbit/s, %d lost); %s%n",
                staleMbit, s.packetsLost, coldMbit, c.packetsLost, stale.net.a.conn.debugState());
        assertEquals(CarefulResume.State.RETREATED, stale.cc().resumeState());
        // One jump at half the remembered rate overruns a 20 Mbit/s link for about a round trip: bounded, and no more
        // than what slow start itself loses by the same amount.
        long jumpPackets = (long) (saved(100, RTT_MS).bandwidthBytesPerSec() / 2 * RTT_MS / 1000.0 / 1233);
        assertTrue(s.packetsLost <= c.packetsLost + jumpPackets, "lost " + s.packetsLost + " vs cold " + c.packetsLost);
        assertTrue(staleMbit >= 0.9 * coldMbit, staleMbit + " vs " + coldMbit);
        assertTrue(stale.cc().pacingRate() <= 1.5 * stale.rate, "settled to the link: " + stale.net.a.conn.debugState());
        stale.net.close();
        cold.net.close();
    }

    @Test
    void anotherKindOfPathIsNotResumed() {
        Run r = new Run(100, saved(100, 5)); // remembered a 5 ms path; this one has 100 ms
        assertEquals(CarefulResume.State.NONE, r.cc().resumeState());
        r.net.close();
    }
}
