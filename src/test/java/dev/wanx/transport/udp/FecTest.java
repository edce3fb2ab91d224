package dev.wanx.transport.udp;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FecTest {
    static final long S = 1_000_000_000L;
    static final long MS = 1_000_000L;

    private static List<ByteBuf> datagrams(int n, long firstPn, Random r) {
        List<ByteBuf> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ByteBuf b = Unpooled.buffer();
            PacketHeader.write(b, PacketHeader.TYPE_DATA, 7, firstPn + i);
            byte[] body = new byte[40 + r.nextInt(1150)];
            r.nextBytes(body);
            out.add(b.writeBytes(body));
        }
        return out;
    }

    private static final UnpooledByteBufAllocator A = UnpooledByteBufAllocator.DEFAULT;

    /** n random datagrams numbered from firstPn, each passed to the sender as sealed. */
    private static List<ByteBuf> sealed(Fec.Sender tx, int n, long firstPn, Random r) {
        List<ByteBuf> ds = datagrams(n, firstPn, r);
        for (int i = 0; i < n; i++) tx.onSealed(ds.get(i), firstPn + i);
        return ds;
    }

    @Test void aDatagramLongerThanTheSlotsIsNotKeptAndEmptiesItsSlot() {
        Fec.Receiver rx = new Fec.Receiver(1233, 16);
        rx.store(Unpooled.wrappedBuffer(new byte[1233]), 5);
        assertTrue(rx.has(5));
        rx.store(Unpooled.wrappedBuffer(new byte[1234]), 21); // same slot (21 mod 16), one byte too long
        assertFalse(rx.has(21));
        assertFalse(rx.has(5), "the slot held 5; it now holds nothing, not a stale copy");
        rx.store(Unpooled.wrappedBuffer(new byte[100]), 37);
        assertTrue(rx.has(37));
        rx.trim();
        assertFalse(rx.has(37));
    }

    @Test void oneMissingDatagramIsRebuiltByteForByte() {
        Random r = new Random(1);
        Fec.Sender tx = new Fec.Sender(8, 1233);
        Fec.Receiver rx = new Fec.Receiver(1233);
        List<ByteBuf> ds = sealed(tx, 8, 100, r);
        assertTrue(tx.full());
        ByteBuf repair = tx.repair(A, 7, 0);
        for (int i = 0; i < 8; i++) if (i != 5) rx.store(ds.get(i), 100 + i);
        List<ByteBuf> rebuilt = rx.recover(repair, A, pn -> false);
        assertEquals(1, rebuilt.size());
        assertTrue(ByteBufUtil.equals(ds.get(5), rebuilt.get(0)), "the lost datagram, exactly");
        rebuilt.get(0).release();
        repair.release();
    }

    @Test void twoMissingWithOneRowOrNoneMissingOrForgottenYieldNothing() {
        Random r = new Random(2);
        Fec.Sender tx = new Fec.Sender(4, 1233);
        List<ByteBuf> ds = sealed(tx, 4, 10, r);
        ByteBuf repair = tx.repair(A, 7, 0);
        Fec.Receiver two = new Fec.Receiver(1233);
        two.store(ds.get(0), 10);
        two.store(ds.get(1), 11);
        assertTrue(two.recover(repair, A, pn -> false).isEmpty(), "two missing, one row");
        Fec.Receiver all = new Fec.Receiver(1233);
        for (int i = 0; i < 4; i++) all.store(ds.get(i), 10 + i);
        assertTrue(all.recover(repair, A, pn -> false).isEmpty(), "nothing missing");
        Fec.Receiver old = new Fec.Receiver(1233);
        for (int i = 1; i < 4; i++) old.store(ds.get(i), 10 + i);
        assertTrue(old.recover(repair, A, pn -> pn == 10).isEmpty(), "already received long ago");
        assertTrue(old.recover(Unpooled.wrappedBuffer(new byte[5]), A, pn -> false).isEmpty(), "truncated");
        repair.release();
    }

    /** Every pattern of up to three losses in a group of 8 (rows lost too, rows arriving in any order) is rebuilt. */
    @Test void anyLossesUpToTheRowsSentAreRebuiltExactly() {
        Random r = new Random(3);
        int k = 8;
        for (int rows = 1; rows <= Fec.MAX_ROWS; rows++) {
            for (int mask = 0; mask < 1 << k; mask++) {
                if (Integer.bitCount(mask) > rows || mask == 0) continue;
                Fec.Sender tx = new Fec.Sender(k, 1452);
                List<ByteBuf> ds = sealed(tx, k, 1000, r);
                List<ByteBuf> repairs = new ArrayList<>();
                for (int row = 0; row < rows; row++) repairs.add(tx.repair(A, 7, row));
                tx.reset();
                java.util.Collections.shuffle(repairs, r);
                Fec.Receiver rx = new Fec.Receiver(1452);
                for (int i = 0; i < k; i++) if ((mask & 1 << i) == 0) rx.store(ds.get(i), 1000 + i);
                List<ByteBuf> got = new ArrayList<>();
                for (ByteBuf rep : repairs) {
                    for (ByteBuf g : rx.recover(rep, A, pn -> false)) {
                        rx.store(g, g.getLong(g.readerIndex() + 9)); // as the connection does once it opened it
                        got.add(g);
                    }
                    rep.release();
                }
                assertEquals(Integer.bitCount(mask), got.size(), rows + " rows, lost mask " + mask);
                for (ByteBuf g : got) {
                    long pn = g.getLong(g.readerIndex() + 9);
                    assertTrue((mask & 1 << (int) (pn - 1000)) != 0, "only lost ones");
                    assertTrue(ByteBufUtil.equals(ds.get((int) (pn - 1000)), g), "rows " + rows + " mask " + mask + " pn " + pn);
                    g.release();
                }
            }
        }
    }

    /**
     * Rows 0..n-1 of a group of 16 sent, those in {@code lostRows} lost, the rest arriving shuffled (or in the order
     * {@code order} gives); data at {@code lostData} lost. Returns what the receiver rebuilt.
     */
    private static List<ByteBuf> recoverWide(Random r, int rows, java.util.Set<Integer> lostData, java.util.Set<Integer> lostRows,
                                             int[] order, List<ByteBuf> original) {
        Fec.Sender tx = new Fec.Sender(16, 1452);
        original.addAll(sealed(tx, 16, 5000, r));
        List<ByteBuf> repairs = new ArrayList<>();
        if (order == null) {
            for (int row = 0; row < rows; row++) if (!lostRows.contains(row)) repairs.add(tx.repair(A, 7, row));
            java.util.Collections.shuffle(repairs, r);
        } else {
            for (int row : order) repairs.add(tx.repair(A, 7, row));
        }
        Fec.Receiver rx = new Fec.Receiver(1452);
        for (int i = 0; i < 16; i++) if (!lostData.contains(i)) rx.store(original.get(i), 5000 + i);
        List<ByteBuf> got = new ArrayList<>();
        for (ByteBuf rep : repairs) {
            for (ByteBuf g : rx.recover(rep, A, pn -> false)) {
                rx.store(g, g.getLong(g.readerIndex() + 9));
                got.add(g);
            }
            rep.release();
        }
        return got;
    }

    /**
     * Wide rows (a peer whose hello takes rows 3-7): up to 8 losses in a group of 16 are rebuilt from as many rows,
     * byte for byte, whichever rows are lost as well, provided rows 0..e-1 arrive (any other choice of e rows may be
     * singular over GF(256); then the receiver waits for another row and uses the ones that work).
     */
    @Test void wideRowsRebuildUpToEightLossesInAGroupOfSixteen() {
        Random r = new Random(5);
        int rebuiltWithSpareRowsOnly = 0;
        for (int t = 0; t < 600; t++) {
            int rows = 4 + r.nextInt(Fec.MAX_ROWS - 3); // 4..8
            int e = 1 + r.nextInt(rows);
            java.util.Set<Integer> lost = new java.util.TreeSet<>();
            while (lost.size() < e) lost.add(r.nextInt(16));
            java.util.Set<Integer> lostRows = new java.util.TreeSet<>();
            int rowsLost = r.nextInt(rows - e + 1); // never more than leaves e rows
            while (lostRows.size() < rowsLost) lostRows.add(r.nextInt(rows));
            List<ByteBuf> ds = new ArrayList<>();
            List<ByteBuf> got = recoverWide(r, rows, lost, lostRows, null, ds);
            boolean firstRowsArrived = lostRows.stream().allMatch(x -> x >= e);
            if (firstRowsArrived) {
                assertEquals(e, got.size(), rows + " rows, lost " + lost + " and rows " + lostRows);
            } else if (got.size() == e) {
                rebuiltWithSpareRowsOnly++;
            }
            for (ByteBuf g : got) {
                int i = (int) (g.getLong(g.readerIndex() + 9) - 5000);
                assertTrue(lost.contains(i), "only lost ones");
                assertTrue(ByteBufUtil.equals(ds.get(i), g), "byte for byte: " + i);
                g.release();
            }
        }
        assertTrue(rebuiltWithSpareRowsOnly > 0, "other rows serve too, mostly");
    }

    /** Rows 0, 1 and 4 over positions 0, 3 and 5 are singular over GF(256): the receiver keeps them for another row. */
    @Test void aSingularChoiceOfRowsWaitsForAnotherRow() {
        Random r = new Random(6);
        java.util.Set<Integer> lost = java.util.Set.of(0, 3, 5);
        List<ByteBuf> ds = new ArrayList<>();
        assertTrue(recoverWide(r, 5, lost, null, new int[] {0, 1, 4}, ds).isEmpty(), "rows 0, 1, 4 only: singular");
        ds.clear();
        List<ByteBuf> got = recoverWide(r, 5, lost, null, new int[] {4, 1, 0, 2}, ds);
        assertEquals(3, got.size(), "row 2 after the singular three: a working choice among the four");
        for (ByteBuf g : got) {
            assertTrue(ByteBufUtil.equals(ds.get((int) (g.getLong(g.readerIndex() + 9) - 5000)), g));
            g.release();
        }
    }

    /** With rows 0, 1, 4 and 2 at hand for positions 0, 3, 5, the receiver solves with a choice that is invertible. */
    @Test void theReceiverChoosesRowsThatSolve() {
        long[] missing = {100, 103, 105};
        int[] atHand = {0, 1, 4, 2};
        int mask = Fec.Receiver.invertibleChoice(atHand, 4, missing, 3, 100, new int[3][3]);
        assertNotEquals(0, mask);
        assertNotEquals(0b0111, mask, "rows 0, 1, 4 are singular here");
        assertEquals(0, Fec.Receiver.invertibleChoice(new int[] {0, 1, 4}, 3, missing, 3, 100, new int[3][3]), "no choice works");
        assertEquals(0b111, Fec.Receiver.invertibleChoice(new int[] {0, 1, 2}, 3, missing, 3, 100, new int[3][3]));
    }

    @Test void moreLossesThanRowsYieldNothingAndAForeignRowIsIgnored() {
        Random r = new Random(4);
        Fec.Sender tx = new Fec.Sender(8, 1452);
        List<ByteBuf> ds = sealed(tx, 8, 50, r);
        ByteBuf r0 = tx.repair(A, 7, 0);
        ByteBuf r1 = tx.repair(A, 7, 1);
        Fec.Receiver rx = new Fec.Receiver(1452);
        for (int i = 3; i < 8; i++) rx.store(ds.get(i), 50 + i); // three lost, two rows
        assertTrue(rx.recover(r0, A, pn -> false).isEmpty());
        assertTrue(rx.recover(r1, A, pn -> false).isEmpty());
        ByteBuf badRow = r0.copy();
        badRow.setByte(PacketHeader.LENGTH, 7 | 2 << 5); // row 2 of another group (7 packets from the same number)
        assertTrue(rx.recover(badRow, A, pn -> false).isEmpty(), "not combined with the 8-packet group's rows");
        r0.release();
        r1.release();
        badRow.release();
    }

    /**
     * 100 ms RTT, 100 Mbit/s, no random loss; an earlier bulk transfer (3000 frames received) taught the sender the
     * path (rate, RTT, and 1 % loss: parity pays), then a pause of a second.
     */
    private static SimNet warmedPath(UdpOptions opts) {
        SimNet net = new SimNet(9, 0, 0, 0, 50 * MS, 0, 0, 12_500_000L, 1_250_000L, opts);
        int[] warmSeen = {0};
        net.dropFromA = d -> {
            PacketHeader h = new PacketHeader();
            return h.wrap(d) && h.isData() && d.readableBytes() > 900 && warmSeen[0]++ % 100 == 50;
        };
        int[] next = {0};
        net.runUntil(() -> net.b.received == 3000, 20 * S, () -> {
            while (next[0] < 3000 && net.a.conn.isWritable()) {
                net.a.conn.send(Unpooled.buffer(1000).writeInt(1_000_000 + next[0]++).writeZero(996));
            }
            net.a.conn.flush(net.now);
        });
        assertEquals(3000, net.b.received);
        net.runUntil(() -> false, S, () -> { });
        return net;
    }

    /** Sends 40 frames of 1000 bytes (one short response) from A with one DATA datagram dropped; returns B's finish time. */
    private static long shortResponseWithOneLoss(boolean fec, int dropIndex, long[] counters) {
        try (SimNet net = warmedPath(UdpOptions.defaults().withFec(fec))) {
            int[] dataSeen = {0};
            net.dropFromA = d -> {
                PacketHeader h = new PacketHeader();
                return h.wrap(d) && h.isData() && d.readableBytes() > 900 && dataSeen[0]++ == dropIndex;
            };
            long t0 = net.now;
            long retxBefore = net.a.conn.counters.framesRetransmitted;
            long recoveredBefore = net.b.conn.counters.fecRecovered;
            for (int i = 0; i < 40; i++) net.a.conn.send(Unpooled.buffer(1000).writeInt(i).writeZero(996));
            net.a.conn.flush(net.now);
            assertTrue(net.runUntil(() -> net.b.received == 3040, 10 * S, () -> { }), "every frame arrives");
            assertNull(net.b.error);
            counters[0] = net.a.conn.counters.framesRetransmitted - retxBefore;
            counters[1] = net.b.conn.counters.fecRecovered - recoveredBefore;
            return net.now - t0;
        }
    }

    @Test void aLossInAShortResponseCostsNoRoundTripWithFec() {
        long[] with = new long[2];
        long[] without = new long[2];
        long clean = shortResponseWithOneLoss(true, -1, with);
        for (int drop : new int[] {4, 39}) { // one in the middle, and the very last packet (the tail)
            long tFec = shortResponseWithOneLoss(true, drop, with);
            long tNoFec = shortResponseWithOneLoss(false, drop, without);
            String times = "no loss " + clean / MS + " ms, FEC " + tFec / MS + " ms, no FEC " + tNoFec / MS + " ms, drop " + drop;
            System.out.println(times);
            assertEquals(1, with[1], "rebuilt from the repair: " + times);
            // The ack that shows the gap can still reach the sender before the rebuilt packet is acked, so one
            // spurious re-send may follow; it costs a packet, not time.
            assertTrue(with[0] <= 1, "at most one spurious re-send: " + times);
            assertTrue(without[0] >= 1, "without FEC the frame is re-sent: " + times);
            assertTrue(tFec <= clean + 5 * MS, "with FEC the loss costs (almost) nothing: " + times);
            assertTrue(tNoFec >= clean + 90 * MS, "without FEC it costs about a round trip: " + times);
        }
    }

    /**
     * Parity sent between a response's data packets delays its last packet, loss or not; a current peer keeps enough
     * packets for it to wait for the end. An older peer (64 packets kept) still gets each group's parity at once.
     */
    @Test void aShortResponsesParityFollowsItsDataWhenThePeerKeepsEnough() {
        for (boolean current : new boolean[] {true, false}) {
            try (SimNet net = warmedPath(UdpOptions.defaults())) {
                net.a.conn.peerReadsFilled(current);
                List<Integer> types = new ArrayList<>();
                int[] dataSeen = {0};
                net.dropFromA = d -> {
                    PacketHeader h = new PacketHeader();
                    boolean data = h.wrap(d) && h.isData() && d.readableBytes() > 900;
                    if (data || h.type() == PacketHeader.TYPE_REPAIR) types.add(data ? PacketHeader.TYPE_DATA : PacketHeader.TYPE_REPAIR);
                    return data && dataSeen[0]++ == 2; // lost in the head's group, whose repair now comes last
                };
                long recovered = net.b.conn.counters.fecRecovered;
                int base = net.b.received;
                // a response's head, then its body half a millisecond later (the codec's batches come apart like this)
                for (int i = 0; i < 4; i++) net.a.conn.send(Unpooled.buffer(1000).writeInt(i).writeZero(996));
                net.a.conn.flush(net.now);
                net.runUntil(() -> false, MS / 2, () -> { });
                for (int i = 4; i < 80; i++) net.a.conn.send(Unpooled.buffer(1000).writeInt(i).writeZero(996));
                net.a.conn.flush(net.now);
                assertTrue(net.runUntil(() -> net.b.received == base + 80, 10 * S, () -> { }), "every frame arrives");
                assertEquals(recovered + 1, net.b.conn.counters.fecRecovered, "the lost packet is rebuilt from parity");
                int firstRepair = types.indexOf(PacketHeader.TYPE_REPAIR);
                int lastData = types.lastIndexOf(PacketHeader.TYPE_DATA);
                assertTrue(firstRepair >= 0, "the path lost 1 %: parity goes");
                if (current) {
                    assertTrue(firstRepair > lastData, "every repair after the last data packet: " + types);
                } else {
                    assertTrue(firstRepair < 12, "an older peer gets each group's parity at once: " + types);
                }
            }
        }
    }

    /** Parity follows the loss of its direction: none once a path has shown none, back as soon as it loses. */
    @Test void aCleanPathGetsNoParityALossyOneDoes() {
        SimNet net = new SimNet(9, 0, 0, 0, 50 * MS, 0, 0, 12_500_000L, 1_250_000L, UdpOptions.defaults());
        try (net) {
            int[] next = {0};
            Runnable burst = () -> {
                while (next[0] < 3000 && net.a.conn.isWritable()) {
                    net.a.conn.send(Unpooled.buffer(1000).writeInt(next[0]++).writeZero(996));
                }
                net.a.conn.flush(net.now);
            };
            assertTrue(net.runUntil(() -> net.b.received == 3000, 20 * S, burst));
            long repairs = net.a.conn.counters.fecRepairsSent;
            assertTrue(repairs > 0, "unknown path: its first packets are protected");
            assertFalse(net.a.conn.fecWanted(), "3000 packets without a loss");
            net.runUntil(() -> false, S, () -> { });
            for (int i = 0; i < 40; i++) net.a.conn.send(Unpooled.buffer(1000).writeInt(3000 + i).writeZero(996));
            net.a.conn.flush(net.now);
            assertTrue(net.runUntil(() -> net.b.received == 3040, 10 * S, () -> { }));
            assertEquals(repairs, net.a.conn.counters.fecRepairsSent, "a clean path: a new burst gets no parity");
            int[] seen = {0};
            net.dropFromA = d -> {
                PacketHeader h = new PacketHeader();
                return h.wrap(d) && h.isData() && seen[0]++ % 50 == 25; // 2 % loss from now on
            };
            next[0] = 0;
            int[] more = {0};
            assertTrue(net.runUntil(() -> net.b.received == 6040, 30 * S, () -> {
                while (more[0] < 3000 && net.a.conn.isWritable()) {
                    net.a.conn.send(Unpooled.buffer(1000).writeInt(4000 + more[0]++).writeZero(996));
                }
                net.a.conn.flush(net.now);
            }));
            assertTrue(net.a.conn.fecWanted(), "2 % loss: parity pays again: " + net.a.conn.counters);
            net.runUntil(() -> false, S, () -> { });
            long before = net.a.conn.counters.fecRepairsSent;
            for (int i = 0; i < 40; i++) net.a.conn.send(Unpooled.buffer(1000).writeInt(8000 + i).writeZero(996));
            net.a.conn.flush(net.now);
            assertTrue(net.runUntil(() -> net.b.received == 6080, 10 * S, () -> { }));
            assertTrue(net.a.conn.counters.fecRepairsSent > before, "the next burst is protected");
        }
    }
}
