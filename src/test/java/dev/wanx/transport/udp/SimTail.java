package dev.wanx.transport.udp;

/**
 * How long a finite bulk transfer's tail takes on a simulated long lossy link: the time from the last new frame's
 * send to the last frame's delivery, against the path's RTT. Run as
 * {@code java -cp target/classes:target/test-classes:$(cat cp.txt) dev.wanx.transport.udp.SimTail RATE_MBIT RTT_MS LOSS MIB [SEEDS]}.
 */
public final class SimTail {
    public static void main(String[] args) {
        double mbit = args.length > 0 ? Double.parseDouble(args[0]) : 100;
        long rttMs = args.length > 1 ? Long.parseLong(args[1]) : 250;
        double loss = args.length > 2 ? Double.parseDouble(args[2]) : 0.01;
        int mib = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        int seeds = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        for (long seed = 1; seed <= seeds; seed++) {
            System.out.println(run(mbit, rttMs, loss, mib, seed, true) + "  | without tail parity: " + run(mbit, rttMs, loss, mib, seed, false));
        }
    }

    record Result(double seconds, double tailRtts, double mbit, long repairs, long tailRepairs, long recovered, long wire, long delivered) {
        @Override public String toString() {
            return String.format("%.3f s, %.1f Mbit/s, tail %.2f RTT, repairs %d (tail %d), rebuilt %d, wire/delivered %.4f",
                    seconds, mbit, tailRtts, repairs, tailRepairs, recovered, (double) wire / delivered);
        }
    }

    /** @param keepsTail whether the receiver's hello says it keeps a tail (else it is an older peer: no tail parity) */
    static Result run(double mbit, long rttMs, double loss, int mib, long seed, boolean keepsTail) {
        long rate = (long) (mbit * 1e6 / 8);
        long bdp = rate * rttMs / 1000;
        SimNet net = new SimNet(seed, loss, 0, 0, rttMs * 500_000L, 0, 0, rate, bdp, UdpOptions.defaults(), true);
        net.a.conn.peerKeepsTail(keepsTail);
        int frame = net.a.conn.maxFrameSize(); // as the session layer cuts them
        int n = (int) (((long) mib << 20) / frame);
        long start = net.now;
        Runnable feed = net.feeder(net.a, n, frame);
        long[] lastNew = {0};
        // the feeder hands over every frame; the sender's queue first runs dry at the last new packet
        boolean done = net.runUntil(() -> {
            if (lastNew[0] == 0 && net.b.received > n / 2 && net.a.conn.debugState().contains("pending=0 retxq=0")) {
                lastNew[0] = net.now;
            }
            return net.b.received == n;
        }, 120_000_000_000L, feed);
        if (!done) throw new AssertionError("transfer did not complete");
        long end = net.now;
        Result r = new Result((end - start) / 1e9, (end - lastNew[0]) / (rttMs * 1e6), (double) n * frame * 8 / ((end - start) / 1e9) / 1e6,
                net.a.conn.counters.fecRepairsSent, net.a.conn.counters.fecTailRepairsSent, net.b.conn.counters.fecRecovered, net.a.conn.counters.wireBytesSent, (long) n * frame);
        net.close();
        return r;
    }
}
