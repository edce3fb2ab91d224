package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * Deterministic simulation of two connections over a virtual link: a bottleneck of given rate, one-way
 * delay, seeded random loss / bursts / jitter / duplicates, a drop-tail queue. Time advances by hand to
 * the next event; nothing sleeps. Used by tests and to measure goodput on long lossy links in seconds.
 */
final class SimNet implements AutoCloseable {
    final InetSocketAddress addrA = new InetSocketAddress("10.0.0.1", 1000);
    final InetSocketAddress addrB = new InetSocketAddress("10.0.0.2", 2000);
    final Random rnd;
    final double loss;
    final double burstChance;
    final int burstLen;
    final long delayNs;
    final long jitterNs;
    final double dup;
    final long rateBytesPerSec; // 0 = unlimited
    final long queueBytes;
    long now = 1_000_000_000L;
    private long seq;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final long[] linkFreeAt = new long[2];
    private int burstLeft;
    final End a;
    final End b;
    long wireBytes;
    /** Every datagram must fit the path: a larger one is dropped by the receiver as malformed. */
    private final int maxDatagram;

    record Event(long at, long seq, int to, ByteBuf data, InetSocketAddress from) implements Comparable<Event> {
        public int compareTo(Event o) { return at != o.at ? Long.compare(at, o.at) : Long.compare(seq, o.seq); }
    }

    final class End implements UdpConnection.Io {
        final int index;
        UdpConnection conn;
        InetSocketAddress self;
        int received;
        long receivedBytes;
        final MessageDigest sha;
        final java.util.BitSet seen = new java.util.BitSet();
        String error;

        End(int index, InetSocketAddress self) {
            this.index = index;
            this.self = self;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void sendDatagram(ByteBuf d, InetSocketAddress to) { transmit(this, d); }

        @Override
        public void flushDatagrams() { }

        /** Takes the frames instead of the seq bookkeeping below (tests with their own frame format). */
        java.util.function.Consumer<ByteBuf> frameSink;

        @Override
        public void onFrame(ByteBuf f) {
            if (frameSink != null) {
                frameSink.accept(f);
                return;
            }
            int s = f.getInt(f.readerIndex());
            if (seen.get(s)) {
                error = "frame " + s + " twice";
            }
            seen.set(s);
            received++;
            receivedBytes += f.readableBytes();
            f.release();
        }

        @Override
        public void onWritabilityChanged(boolean w) { writabilityChanges.add(w); }

        @Override
        public void onClosed(Throwable cause) {
            closed = true;
            closeCause = cause;
        }

        final java.util.List<Boolean> writabilityChanges = new java.util.ArrayList<>();
        boolean closed;
        Throwable closeCause;
    }

    SimNet(long seed, double loss, double burstChance, int burstLen, long delayNs, long jitterNs, double dup,
           long rateBytesPerSec, long queueBytes, UdpOptions opts) {
        this(seed, loss, burstChance, burstLen, delayNs, jitterNs, dup, rateBytesPerSec, queueBytes, opts, false);
    }

    /** @param plain use {@link PlainCipher} instead of AES-GCM (for long goodput runs) */
    SimNet(long seed, double loss, double burstChance, int burstLen, long delayNs, long jitterNs, double dup,
           long rateBytesPerSec, long queueBytes, UdpOptions opts, boolean plain) {
        this.rnd = new Random(seed);
        this.loss = loss;
        this.burstChance = burstChance;
        this.burstLen = burstLen;
        this.delayNs = delayNs;
        this.jitterNs = jitterNs;
        this.dup = dup;
        this.rateBytesPerSec = rateBytesPerSec;
        this.queueBytes = queueBytes;
        this.maxDatagram = opts.largestDatagram();
        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        k2[0] = 1;
        a = new End(0, addrA);
        b = new End(1, addrB);
        long rtt = 2 * delayNs + 1_000_000L;
        a.conn = new UdpConnection(7, plain ? new PlainCipher() : new AeadPacketCipher(k1), plain ? new PlainCipher() : new AeadPacketCipher(k2),
                opts, addrB, rtt, UnpooledByteBufAllocator.DEFAULT, a, now, 1);
        b.conn = new UdpConnection(7, plain ? new PlainCipher() : new AeadPacketCipher(k2), plain ? new PlainCipher() : new AeadPacketCipher(k1),
                opts, addrA, rtt, UnpooledByteBufAllocator.DEFAULT, b, now, 2);
        a.conn.peerReadsFilled(true); // as a current peer's hello says (a test may set an older peer)
        b.conn.peerReadsFilled(true);
        a.conn.peerKeepsTail(true);
        b.conn.peerKeepsTail(true);
        a.conn.peerReadsAckV(true);
        b.conn.peerReadsAckV(true);
        a.conn.peerReadsShort(true);
        b.conn.peerReadsShort(true);
        a.conn.peerReadsWideRows(true);
        b.conn.peerReadsWideRows(true);
    }

    /** Timers fire this much after they are due, as an event loop's do; 0 = exactly on time. */
    long timerSlackNs;
    /** Drops everything while true (a dead path). */
    boolean blackhole;
    /** The path's MTU as the largest datagram it carries: larger ones vanish, as at a router with DF set. */
    int pathMaxDatagram = Integer.MAX_VALUE;
    /** Datagrams dropped for being larger than {@link #pathMaxDatagram}; {@link #repairsTooBig} of them REPAIRs. */
    int tooBig;
    int repairsTooBig;
    /** Datagrams dropped by the bottleneck's full queue. */
    int tailDrops;
    /** Drops the datagrams from A it matches (a targeted loss); null for none. */
    java.util.function.Predicate<ByteBuf> dropFromA;

    /** Sees every datagram B sends, before the link (plaintext with {@code plain}); null for none. */
    java.util.function.Consumer<ByteBuf> observeFromB;
    /** The same for A. */
    java.util.function.Consumer<ByteBuf> observeFromA;

    private void transmit(End from, ByteBuf d) {
        int dir = from.index;
        if (dir == 1 && observeFromB != null) observeFromB.accept(d);
        if (dir == 0 && observeFromA != null) observeFromA.accept(d);
        boolean repair = (d.getByte(d.readerIndex()) & 0x0f) == PacketHeader.TYPE_REPAIR;
        int limit = repair ? maxDatagram + Fec.REPAIR_FIXED : maxDatagram;
        if (d.readableBytes() > limit) {
            throw new AssertionError("datagram of " + d.readableBytes() + " bytes sent; the receiver takes " + limit);
        }
        if (d.readableBytes() > pathMaxDatagram) {
            tooBig++;
            if (repair) repairsTooBig++;
            d.release();
            return;
        }
        if (blackhole || dir == 0 && dropFromA != null && dropFromA.test(d)) {
            d.release();
            return;
        }
        wireBytes += d.readableBytes();
        long departs = now;
        if (rateBytesPerSec > 0) {
            long backlogNs = Math.max(0, linkFreeAt[dir] - now);
            if (backlogNs * rateBytesPerSec / 1_000_000_000L > queueBytes) {
                tailDrops++;
                d.release(); // drop-tail at the bottleneck
                return;
            }
            departs = Math.max(now, linkFreeAt[dir]) + d.readableBytes() * 1_000_000_000L / rateBytesPerSec;
            linkFreeAt[dir] = departs;
        }
        if (burstLeft == 0 && burstChance > 0 && rnd.nextDouble() < burstChance) {
            burstLeft = burstLen;
        }
        if (burstLeft > 0) {
            burstLeft--;
            d.release();
            return;
        }
        if (rnd.nextDouble() < loss) {
            d.release();
            return;
        }
        int to = 1 - dir;
        InetSocketAddress src = from.self;
        if (dup > 0 && rnd.nextDouble() < dup) {
            events.add(new Event(departs + delayNs + jitter(), seq++, to, d.retainedDuplicate(), src));
        }
        events.add(new Event(departs + delayNs + jitter(), seq++, to, d, src));
    }

    /** Frees datagrams still on the wire when a test ends. */
    @Override
    public void close() {
        for (End e : new End[] {a, b}) {
            if (e.conn != null && !e.conn.isClosed()) {
                e.conn.close("test over", now); // frees frames still unacked
            }
        }
        for (Event e : events) {
            e.data.release();
        }
        events.clear();
    }

    private long jitter() { return jitterNs > 0 ? (long) (rnd.nextDouble() * jitterNs) : 0; }

    /** Runs until {@code until} returns true or virtual time passes {@code limitNs}. */
    boolean runUntil(java.util.function.BooleanSupplier until, long limitNs, Runnable feeder) {
        long end = now + limitNs;
        long traceAt = 0;
        boolean trace = System.getenv("SIM_TRACE") != null;
        while (now < end) {
            if (trace && now >= traceAt) {
                traceAt = now + Long.getLong("sim.traceNs", 200_000_000L);
                System.out.println("t=" + now / 1_000_000 + "ms recvB=" + b.received + " A: " + a.conn.debugState() + " " + a.conn.counters);
            }
            feeder.run();
            if (until.getAsBoolean()) {
                return true;
            }
            long next = Math.min(a.conn.nextTimerNs(), b.conn.nextTimerNs());
            if (next != Long.MAX_VALUE && next > now) {
                next += timerSlackNs; // a real event loop wakes late (Netty here: ~1 ms)
            }
            Event e = events.peek();
            if (Math.min(next, e == null ? Long.MAX_VALUE : e.at) > end) {
                now = end; // nothing more happens within the limit: stop at it, not at the next event beyond
                break;
            }
            if (e != null && e.at <= next) {
                events.poll();
                now = Math.max(now, e.at);
                End dst = e.to == 0 ? a : b;
                dst.conn.onDatagram(e.data, e.from, now);
                e.data.release();
            } else if (next != Long.MAX_VALUE) {
                now = Math.max(now, next);
                a.conn.onTimer(now);
                b.conn.onTimer(now);
            } else {
                return until.getAsBoolean();
            }
        }
        return until.getAsBoolean();
    }

    /** Keeps {@code from} fed with frames "int seq | filler" up to n frames while writable. */
    Runnable feeder(End from, int n, int size) {
        int[] next = {0};
        return () -> {
            if (next[0] >= n || !from.conn.isWritable()) {
                return;
            }
            while (next[0] < n && from.conn.isWritable()) {
                ByteBuf f = UnpooledByteBufAllocator.DEFAULT.heapBuffer(size);
                f.writeInt(next[0]++);
                f.writeZero(size - 4);
                from.conn.send(f);
            }
            from.conn.flush(now);
        };
    }
}
