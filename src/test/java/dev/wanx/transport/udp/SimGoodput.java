package dev.wanx.transport.udp;

/**
 * Goodput on a simulated long lossy link (virtual time, runs in seconds):
 * {@code mvn -q test-compile exec:java} is not set up, so run with
 * {@code java -cp target/classes:target/test-classes:$(cat cp.txt) dev.wanx.transport.udp.SimGoodput RATE_MBIT RTT_MS LOSS SECONDS}.
 */
public final class SimGoodput {
    public static void main(String[] args) {
        double mbit = args.length > 0 ? Double.parseDouble(args[0]) : 100;
        long rttMs = args.length > 1 ? Long.parseLong(args[1]) : 100;
        double loss = args.length > 2 ? Double.parseDouble(args[2]) : 0.01;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        long slackUs = args.length > 4 ? Long.parseLong(args[4]) : 0;
        System.out.println(run(mbit, rttMs, loss, seconds, 1, slackUs * 1000).line);
    }

    record Result(double goodputMbit, double steadyMbit, double wireRatio, double steadyWireRatio, String line) { }

    static Result run(double mbit, long rttMs, double loss, int seconds, long seed) {
        return run(mbit, rttMs, loss, seconds, seed, 0);
    }

    /** @param timerSlackNs how late timers fire (a real event loop's latency) */
    static Result run(double mbit, long rttMs, double loss, int seconds, long seed, long timerSlackNs) {
        long rate = (long) (mbit * 1e6 / 8);
        long bdp = rate * rttMs / 1000;
        SimNet net = new SimNet(seed, loss, 0, 0, rttMs * 500_000L, 0, 0, rate, bdp, UdpOptions.defaults(), true);
        net.timerSlackNs = timerSlackNs;
        int frame = net.a.conn.maxFrameSize();
        int n = Integer.MAX_VALUE / 2;
        long start = net.now;
        long wireStart = net.wireBytes;
        long warm = 0;
        long warmBytes = 0;
        Runnable feed = net.feeder(net.a, n, frame);
        net.runUntil(() -> false, 2_000_000_000L, feed);
        warm = net.now;
        warmBytes = net.b.receivedBytes;
        long warmWire = net.a.conn.counters.wireBytesSent;
        net.runUntil(() -> false, seconds * 1_000_000_000L - 2_000_000_000L, feed);
        net.close();
        double total = net.b.receivedBytes * 8 / ((net.now - start) / 1e9) / 1e6;
        double steady = (net.b.receivedBytes - warmBytes) * 8 / ((net.now - warm) / 1e9) / 1e6;
        double wireRatio = (double) net.a.conn.counters.wireBytesSent / net.b.receivedBytes;
        double steadyWire = (double) (net.a.conn.counters.wireBytesSent - warmWire) / (net.b.receivedBytes - warmBytes);
        double both = (double) (net.a.conn.counters.wireBytesSent + net.b.conn.counters.wireBytesSent) / net.b.receivedBytes;
        return new Result(total, steady, wireRatio, steadyWire, String.format("%.0f Mbit/s, %d ms RTT, %.1f %% loss: goodput %.1f Mbit/s over %d s (%.1f after 2 s), wire/delivered %.3f (%.3f after 2 s; %.3f with the ACKs back; UDP payload bytes); %s; %s",
                mbit, rttMs, loss * 100, total, seconds, steady, wireRatio, steadyWire, both, net.a.conn.debugState(), net.a.conn.counters + " | B: " + net.b.conn.counters + " wireB=" + net.b.conn.counters.wireBytesSent));
    }
}
