package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TailParityTest {
    private static final int MAX = 1452;
    private static final long RTT = 100_000_000L;

    /** Sealed-looking datagrams: a header with the packet number (as Fec reads it), then random bytes. */
    private static byte[] datagram(long pn, Random rnd) {
        byte[] d = new byte[PacketHeader.LENGTH + 40 + rnd.nextInt(MAX - PacketHeader.LENGTH - 40)];
        rnd.nextBytes(d);
        ByteBuf h = Unpooled.wrappedBuffer(d).clear();
        PacketHeader.write(h, PacketHeader.TYPE_DATA, 7, pn);
        return d;
    }

    private static List<ByteBuf> drain(TailParity tail, long now) {
        List<ByteBuf> out = new ArrayList<>();
        while (tail.pending(now, RTT)) {
            ByteBuf r = tail.next(UnpooledByteBufAllocator.DEFAULT, MAX + Fec.REPAIR_FIXED);
            if (r != null) out.add(r);
        }
        return out;
    }

    @Test
    void theLastRoundTripsLossesAreRebuiltFromItsTailRepairs() {
        Random rnd = new Random(5);
        TailParity tail = new TailParity(MAX, 7);
        Fec.Receiver rx = new Fec.Receiver(MAX, TailParity.SLOTS);
        Set<Long> lost = Set.of(41L, 42L, 77L, 87L, 88L, 119L); // two in a group, a run across two groups, the newest
        byte[][] sent = new byte[120][];
        for (long pn = 0; pn < 120; pn++) {
            sent[(int) pn] = datagram(pn, rnd);
            tail.onSealed(Unpooled.wrappedBuffer(sent[(int) pn]), pn, pn < 20); // a burst-start group covered 0..19
            if (!lost.contains(pn)) rx.store(Unpooled.wrappedBuffer(sent[(int) pn]), pn);
        }
        assertEquals(120 - 20, tail.uncovered(10, 119));
        int planned = tail.plan(30, 119, 2, 0); // 30..119 in flight: groups of 16 from the newest back
        assertEquals(6 * 2, planned, "90 packets: 5 groups of 16 and one of 10, two rows each");
        List<ByteBuf> repairs = drain(tail, 1);
        assertEquals(planned, repairs.size());
        Set<Long> rebuilt = new HashSet<>();
        for (ByteBuf r : repairs) {
            for (ByteBuf d : rx.recover(r, UnpooledByteBufAllocator.DEFAULT, pn -> false)) {
                long pn = d.getLong(d.readerIndex() + 9);
                byte[] got = new byte[d.readableBytes()];
                d.readBytes(got);
                assertArrayEquals(sent[(int) pn], got, "rebuilt " + pn);
                rebuilt.add(pn);
                rx.store(Unpooled.wrappedBuffer(got), pn);
                d.release();
            }
            r.release();
        }
        assertEquals(lost, rebuilt);
        assertEquals(0, tail.uncovered(30, 119), "a plan covers its packets: the next starts after them");
    }

    @Test
    void aShortTailOrACoveredOneGetsNoPlan() {
        Random rnd = new Random(6);
        TailParity tail = new TailParity(MAX, 7);
        for (long pn = 0; pn < 100; pn++) tail.onSealed(Unpooled.wrappedBuffer(datagram(pn, rnd)), pn, pn <= 80);
        assertEquals(0, tail.plan(0, 99, 2, 0), "only 19 not covered by burst-start parity");
        for (long pn = 100; pn < 200; pn++) tail.onSealed(Unpooled.wrappedBuffer(datagram(pn, rnd)), pn, false);
        assertEquals(0, tail.plan(200 - TailParity.MIN_PACKETS + 1, 199, 2, 0), "fewer than MIN_PACKETS in flight");
        assertEquals(0, tail.plan(-1, 99, 2, 0), "nothing in flight");
        assertFalse(tail.pending(0, RTT));
    }

    @Test
    void repairsNotSentWithinARoundTripAreDroppedAndTrimFreesTheCopies() {
        Random rnd = new Random(7);
        TailParity tail = new TailParity(MAX, 7);
        for (long pn = 0; pn < 64; pn++) tail.onSealed(Unpooled.wrappedBuffer(datagram(pn, rnd)), pn, false);
        assertEquals(4 * 3, tail.plan(0, 63, 3, 0));
        ByteBuf first = tail.next(UnpooledByteBufAllocator.DEFAULT, MAX + Fec.REPAIR_FIXED);
        first.release();
        assertTrue(tail.pending(RTT, RTT));
        assertFalse(tail.pending(RTT + 1, RTT), "a round trip after the plan its packets are acked or re-sent");
        for (long pn = 64; pn < 128; pn++) tail.onSealed(Unpooled.wrappedBuffer(datagram(pn, rnd)), pn, false);
        tail.trim();
        assertEquals(0, tail.plan(64, 127, 1, 0), "nothing kept after trim");
    }

    @Test
    void aGroupWhoseRepairTheNarrowedPathWouldNotCarryIsSkipped() {
        Random rnd = new Random(9);
        TailParity tail = new TailParity(MAX, 7);
        for (long pn = 0; pn < 48; pn++) {
            byte[] d = pn == 40 ? new byte[1400] : new byte[1200]; // 40: sent before the path was found narrower
            rnd.nextBytes(d);
            tail.onSealed(Unpooled.wrappedBuffer(d), pn, false);
        }
        assertEquals(3, tail.plan(0, 47, 1, 0)); // 32..47, 16..31, 0..15
        List<Long> firsts = new ArrayList<>();
        for (ByteBuf r; (r = tail.next(UnpooledByteBufAllocator.DEFAULT, 1200 + Fec.REPAIR_FIXED)) != null; ) {
            assertTrue(r.readableBytes() <= 1200 + Fec.REPAIR_FIXED);
            firsts.add(r.getLong(r.readerIndex() + 9));
            r.release();
        }
        assertEquals(List.of(16L, 0L), firsts);
        assertFalse(tail.pending(1, RTT));
    }

    @Test
    void aPacketNotKeptEndsAGroup() {
        Random rnd = new Random(8);
        TailParity tail = new TailParity(MAX, 7);
        for (long pn = 0; pn < 40; pn++) {
            byte[] d = pn == 20 ? new byte[MAX + 1] : datagram(pn, rnd); // a path-MTU probe larger than any member
            tail.onSealed(Unpooled.wrappedBuffer(d), pn, false);
        }
        // newest back, at most 16 a group, the probe (20) in none: 24..39, 21..23, 4..19, 0..3
        assertEquals(4, tail.plan(0, 39, 1, 0));
        List<Long> firsts = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (ByteBuf r : drain(tail, 1)) {
            firsts.add(r.getLong(r.readerIndex() + 9));
            counts.add(r.getUnsignedByte(r.readerIndex() + PacketHeader.LENGTH) & 0x1f);
            r.release();
        }
        assertEquals(List.of(24L, 21L, 4L, 0L), firsts);
        assertEquals(List.of(16, 3, 16, 4), counts);
    }
}
