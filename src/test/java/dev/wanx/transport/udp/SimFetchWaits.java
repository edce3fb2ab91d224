package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.List;

/**
 * How many 100 KB responses wait a round trip for a re-send, over many fetches on a simulated 100 ms, 100 Mbit/s
 * link after a bulk transfer (virtual time: 300 fetches take a second or two). For each response that waited it
 * lists the packets the sender judged lost, which tells a group that lost more than its rows from other causes. Run as
 * {@code java -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.wanx.transport.udp.SimFetchWaits LOSS FETCHES SEEDS [WIDE_ROWS]}.
 */
public final class SimFetchWaits {
    private static final long MS = 1_000_000L;

    public static void main(String[] args) {
        double loss = args.length > 0 ? Double.parseDouble(args[0]) : 0.03;
        int fetches = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int seeds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        boolean wide = args.length < 4 || Boolean.parseBoolean(args[3]);
        int waited = 0;
        for (long seed = 1; seed <= seeds; seed++) {
            Result r = run(loss, fetches, seed, wide);
            r.slow.forEach(System.out::println);
            System.out.println("seed " + seed + ": " + r);
            waited += r.waited;
        }
        System.out.println("in all " + waited + " of " + (long) fetches * seeds + " waited (" + (wide ? "wide" : "narrow") + " rows)");
    }

    /** {@code times}: each response's one-way time in ms, sorted. */
    record Result(int waited, int fetches, long repairs, int highestRow, double wireRatio, List<String> slow, List<Long> times) {
        @Override public String toString() {
            return String.format("%d of %d waited, %d repairs (rows up to %d), wire / delivered %.3f", waited, fetches,
                    repairs, highestRow, wireRatio);
        }
    }

    /** {@code wide}: whether the receiver's hello says it takes rows above 2 (else it is an older peer). */
    static Result run(double loss, int fetches, long seed, boolean wide) {
        List<String> lost = new ArrayList<>();
        java.util.logging.Logger trace = java.util.logging.Logger.getLogger("wanx.udp.loss");
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override public void publish(java.util.logging.LogRecord r) { lost.add(r.getMessage()); }
            @Override public void flush() { }
            @Override public void close() { }
        };
        java.util.logging.Level was = trace.getLevel();
        boolean parents = trace.getUseParentHandlers();
        trace.setLevel(java.util.logging.Level.FINER);
        trace.addHandler(h);
        trace.setUseParentHandlers(false);
        SimNet net = new SimNet(seed, loss, 0, 0, 50 * MS, 0, 0, 12_500_000L, 1_250_000L, UdpOptions.defaults());
        try (net) {
            net.timerSlackNs = MS;
            int[] highestRow = {-1};
            net.observeFromA = d -> {
                if ((d.getByte(d.readerIndex()) & 0x0f) == PacketHeader.TYPE_REPAIR) {
                    highestRow[0] = Math.max(highestRow[0], d.getUnsignedByte(d.readerIndex() + PacketHeader.LENGTH) >>> 5);
                }
            };
            net.a.conn.peerReadsWideRows(wide);
            net.a.conn.peerMaxPayload(UdpOptions.MAX_PAYLOAD);
            net.b.conn.peerMaxPayload(UdpOptions.MAX_PAYLOAD);
            int warm = 8000;
            if (!net.runUntil(() -> net.b.received >= warm, 60_000 * MS, net.feeder(net.a, warm, 1000))) {
                throw new AssertionError("the bulk transfer did not complete");
            }
            long wire0 = net.a.conn.counters.wireBytesSent;
            long repairs0 = net.a.conn.counters.fecRepairsSent;
            long bytes0 = net.b.receivedBytes;
            int seq = warm;
            List<String> slow = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            for (int k = 0; k < fetches; k++) {
                net.runUntil(() -> false, 300 * MS, () -> { });
                int base = net.b.received;
                int frame = net.a.conn.maxFrameSize();
                int n = (102_400 + frame - 1) / frame;
                long t0 = net.now;
                String before = net.a.conn.debugState();
                lost.clear();
                for (int i = 0; i < n; i++) {
                    ByteBuf f = Unpooled.buffer(frame).writeInt(seq++);
                    net.a.conn.send(f.writeZero(frame - 4));
                }
                net.a.conn.flush(net.now);
                if (!net.runUntil(() -> net.b.received >= base + n, 10_000 * MS, () -> { })) {
                    throw new AssertionError("fetch " + k + " did not complete");
                }
                long ms = (net.now - t0) / MS;
                times.add(ms);
                if (ms >= 100) { // one way is 50 ms + 8 ms of sending: a re-send adds a round trip
                    int p = before.indexOf("nextPn=");
                    int q = before.indexOf("parity=");
                    slow.add(String.format("seed %d fetch %d: %d ms, from %s, %s; lost: %s", seed, k, ms,
                            before.substring(p, before.indexOf(' ', p)), before.substring(q), lost));
                }
            }
            java.util.Collections.sort(times);
            return new Result(slow.size(), fetches, net.a.conn.counters.fecRepairsSent - repairs0, highestRow[0],
                    (double) (net.a.conn.counters.wireBytesSent - wire0) / (net.b.receivedBytes - bytes0), slow, times);
        } finally {
            trace.removeHandler(h);
            trace.setLevel(was);
            trace.setUseParentHandlers(parents);
        }
    }
}
