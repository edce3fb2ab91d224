package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Forward error correction over groups of consecutive sealed packets: up to {@link #MAX_ROWS} REPAIR packets per
 * group, row r carrying the sum over GF(256) of the group's sealed datagrams (and of their lengths), datagram j
 * weighted by {@link Gf256#coef} = 2^(r·j). Row 0 is the plain XOR. A receiver missing e datagrams of a group and
 * holding e of its rows rebuilds them all without a round trip, then opens each like any other packet (so a forged
 * repair can only yield packets that fail authentication). The sender protects the start of each burst and its
 * tail, where a loss would otherwise cost a whole round trip of a short request/response; long bulk runs go
 * unprotected, so they pay no overhead. Repair layout (after the clear-text header, whose packet number is the
 * group's first): {@code count u8 (bits 0-4: 1..16; bits 5-7: row) | length sum u16 | sum bytes (the longest
 * datagram's length)}. A receiver from before rows existed reads a row above 0 as a count above 16 and ignores it;
 * one from before wide rows ignores rows above {@link #NARROW_ROWS} - 1, so they go only to a peer whose hello sets
 * {@link HandshakePacket#READS_WIDE_ROWS}.
 */
final class Fec {
    static final int MAX_GROUP = 16;
    /** Rows a receiver takes (the row field's 3 bits). */
    static final int MAX_ROWS = 8;
    /** Rows a peer takes whose hello does not set {@link HandshakePacket#READS_WIDE_ROWS}. */
    static final int NARROW_ROWS = 3;
    static final int REPAIR_FIXED = PacketHeader.LENGTH + 3;

    private Fec() { }

    /** Accumulates one group at a time on the sending side. */
    static final class Sender {
        private int groupSize;
        private final byte[][] held = new byte[MAX_GROUP][];
        private final int[] lens = new int[MAX_GROUP];
        private final int maxDatagram;
        private int maxLen;
        private long firstPn;
        private int count;

        Sender(int groupSize, int maxDatagram) {
            if (groupSize < 2 || groupSize > MAX_GROUP) throw new IllegalArgumentException("group size 2.." + MAX_GROUP);
            this.groupSize = groupSize;
            this.maxDatagram = maxDatagram;
        }

        /** A sealed datagram went out with packet number {@code pn} (bytes readerIndex..writerIndex). */
        void onSealed(ByteBuf datagram, long pn) {
            if (count > 0 && pn != firstPn + count) reset(); // only consecutive numbers form a group
            if (count == 0) firstPn = pn;
            int len = datagram.readableBytes();
            if (held[count] == null) held[count] = new byte[maxDatagram];
            datagram.getBytes(datagram.readerIndex(), held[count], 0, len);
            lens[count] = len;
            maxLen = Math.max(maxLen, len);
            count++;
        }

        boolean full() { return count >= groupSize; }

        /** The size of the next group (2..{@link #MAX_GROUP}); takes effect when no group is open. */
        void groupSize(int n) {
            if (n < 2 || n > MAX_GROUP) throw new IllegalArgumentException("group size 2.." + MAX_GROUP);
            if (count == 0) this.groupSize = n;
        }

        /** Whether a packet numbered {@code pn} would continue the open group (numbers must be consecutive). */
        boolean continues(long pn) { return count == 0 || pn == firstPn + count; }

        boolean pending() { return count > 0; }

        /** Packets in the open group. */
        int size() { return count; }

        /** Drops a partial group (its packets go unprotected). */
        void reset() {
            maxLen = 0;
            count = 0;
        }

        /** Row {@code row} of the current group's REPAIR packets; {@link #reset} starts a new group. */
        ByteBuf repair(ByteBufAllocator alloc, long cid, int row) {
            return encodeRepair(alloc, cid, firstPn, count, row, maxLen, j -> held[j], j -> lens[j]);
        }
    }

    /** Datagram {@code j} of a group (0-based), as kept by whoever encodes its repair. */
    interface Member<T> {
        T of(int j);
    }

    /**
     * The REPAIR of row {@code row} over a group of {@code count} datagrams from packet number {@code first}: the one
     * place its layout is written.
     */
    static ByteBuf encodeRepair(ByteBufAllocator alloc, long cid, long first, int count, int row, int maxLen,
                                Member<byte[]> data, java.util.function.IntUnaryOperator len) {
        byte[] sum = new byte[maxLen];
        int lenHi = 0;
        int lenLo = 0;
        for (int j = 0; j < count; j++) {
            int c = Gf256.coef(row, j);
            int l = len.applyAsInt(j);
            Gf256.mulAdd(sum, data.of(j), l, c); // a shorter datagram counts as zero-padded: nothing past its end
            lenHi ^= Gf256.mul(c, l >>> 8);
            lenLo ^= Gf256.mul(c, l & 0xff);
        }
        ByteBuf out = alloc.directBuffer(REPAIR_FIXED + maxLen);
        PacketHeader.write(out, PacketHeader.TYPE_REPAIR, cid, first);
        out.writeByte(count | row << 5).writeByte(lenHi).writeByte(lenLo).writeBytes(sum);
        return out;
    }

    /** Keeps the last authentic datagrams to rebuild a missing one from a REPAIR. */
    static final class Receiver {
        /**
         * Room for the repairs a sender defers to the end of a burst ({@link ParitySender#DEFER_GROUPS} groups of up
         * to {@link #MAX_GROUP}, with room for ack-only packet numbers between them). Slots are allocated on first use
         * (≤ 400 KB), so a connection that never sees parity pays nothing.
         */
        static final int SLOTS = 256;
        private final DatagramRing kept;
        private final int maxDatagram;

        Receiver(int maxDatagram) { this(maxDatagram, SLOTS); }

        /** Keeping {@code slots} datagrams: {@link TailParity#SLOTS} for an end whose hello says it keeps a tail. */
        Receiver(int maxDatagram, int slots) {
            this.kept = new DatagramRing(slots, maxDatagram);
            this.maxDatagram = maxDatagram;
        }

        /** An authentic DATA packet arrived (its sealed bytes, header included). */
        void store(ByteBuf datagram, long pn) { kept.put(datagram, pn); }

        /** Forgets every datagram and frees their memory. */
        void trim() { kept.clear(); }

        /** Whether packet {@code pn} is held (for tests and accounting). */
        boolean has(long pn) { return kept.has(pn); }

        /** Rows that arrived before their group could be rebuilt: {first, count, row, length sum, sum bytes}. */
        private static final int PARKED = 48;
        private final long[] parkedFirst = new long[PARKED];
        private final int[] parkedCount = new int[PARKED];
        private final int[] parkedRow = new int[PARKED];
        private final int[] parkedLen = new int[PARKED];
        private final byte[][] parkedSum = new byte[PARKED][];
        private int parkedNext;

        /**
         * Takes a REPAIR and returns the datagrams of its group it (with rows held from before) rebuilds: none when
         * nothing is missing, when more are missing than rows are at hand (the row is kept for later), when the
         * repair is malformed, or when the group is older than what is kept. {@code alreadyHave} tells packets
         * received earlier and since forgotten, so an old group is not "repaired" into a duplicate.
         */
        java.util.List<ByteBuf> recover(ByteBuf repair, ByteBufAllocator alloc, java.util.function.LongPredicate alreadyHave) {
            int at = repair.readerIndex();
            int n = repair.readableBytes();
            if (n < REPAIR_FIXED + PacketHeader.LENGTH) return java.util.List.of();
            long first = repair.getLong(at + 9);
            int countRow = repair.getUnsignedByte(at + PacketHeader.LENGTH);
            int count = countRow & 0x1f;
            int row = countRow >>> 5;
            int len = repair.getUnsignedShort(at + PacketHeader.LENGTH + 1);
            int sumBytes = n - REPAIR_FIXED;
            if (count < 1 || count > MAX_GROUP || row >= MAX_ROWS || first < 0 || sumBytes > maxDatagram) {
                return java.util.List.of();
            }
            long[] missing = new long[MAX_ROWS];
            int e = 0;
            for (long pn = first; pn < first + count; pn++) {
                if (has(pn)) continue;
                if (alreadyHave.test(pn) || e == MAX_ROWS) return java.util.List.of(); // forgotten, or past any help
                missing[e++] = pn;
            }
            if (e == 0) return java.util.List.of();
            byte[] sum = new byte[sumBytes];
            repair.getBytes(at + REPAIR_FIXED, sum);
            // the rows at hand for this group: this one and every parked one, one per row number
            int[] rows = new int[MAX_ROWS];
            int[] lenSums = new int[MAX_ROWS];
            byte[][] sums = new byte[MAX_ROWS][];
            int k = 0;
            rows[k] = row;
            lenSums[k] = len;
            sums[k++] = sum;
            boolean rowParked = false; // this row came before (a duplicate): parked once is enough
            for (int p = 0; p < PARKED && k < MAX_ROWS; p++) {
                if (parkedSum[p] == null || parkedFirst[p] != first || parkedCount[p] != count || parkedSum[p].length != sumBytes) {
                    continue;
                }
                rowParked |= parkedRow[p] == row;
                if (!contains(rows, k, parkedRow[p])) {
                    rows[k] = parkedRow[p];
                    lenSums[k] = parkedLen[p];
                    sums[k++] = parkedSum[p];
                }
            }
            int[][] inverse = new int[e][e];
            int use = k < e ? 0 : invertibleChoice(rows, k, missing, e, first, inverse);
            if (use == 0) { // not yet: keep this row until more arrive (the oldest parked row makes room)
                if (rowParked) return java.util.List.of();
                int p = parkedNext++ % PARKED;
                parkedFirst[p] = first;
                parkedCount[p] = count;
                parkedRow[p] = row;
                parkedLen[p] = len;
                parkedSum[p] = sum;
                return java.util.List.of();
            }
            int[] r = new int[e];
            int[] l = new int[e];
            byte[][] sm = new byte[e][];
            for (int i = 0, j = 0; i < k; i++) {
                if ((use & 1 << i) == 0) continue;
                r[j] = rows[i];
                l[j] = lenSums[i];
                sm[j++] = sums[i];
            }
            return solve(first, count, e, r, l, sm, sumBytes, inverse, alloc);
        }

        /**
         * Which {@code e} of the {@code k} rows at hand to solve with (a bit mask over them), 0 if no choice makes an
         * invertible matrix. Among rows 0-2 any choice does (see {@link Gf256#coef}); with wider rows a few choices of
         * rows and missing positions are singular over GF(256) (254 of the 74,612 among six rows and 16 positions),
         * and another row then makes it: rows 0..e-1 always do (Vandermonde). {@code inverse} (e×e) receives the
         * chosen rows' inverted matrix, their order that of the mask's bits.
         */
        static int invertibleChoice(int[] rows, int k, long[] missing, int e, long first, int[][] inverse) {
            int[][] m = inverse;
            for (int mask = (1 << e) - 1; mask < 1 << k; mask++) {
                if (Integer.bitCount(mask) != e) continue;
                for (int i = 0, a = 0; i < k; i++) {
                    if ((mask & 1 << i) == 0) continue;
                    for (int b = 0; b < e; b++) m[a][b] = Gf256.coef(rows[i], (int) (missing[b] - first));
                    a++;
                }
                if (Gf256.invert(m, e)) return mask;
            }
            return 0;
        }

        private static boolean contains(int[] a, int n, int v) {
            for (int i = 0; i < n; i++) if (a[i] == v) return true;
            return false;
        }

        /** e missing datagrams from e rows: subtract what is held, then invert the e×e matrix of coefficients. */
        /** Rebuilds the e missing datagrams from rows whose matrix {@link #invertibleChoice} inverted. */
        private java.util.List<ByteBuf> solve(long first, int count, int e, int[] rows, int[] lenSums,
                                              byte[][] sums, int sumBytes, int[][] m, ByteBufAllocator alloc) {
            byte[][] syn = new byte[e][];
            int[] synLen = new int[e];
            for (int a = 0; a < e; a++) {
                syn[a] = sums[a].clone();
                int hi = lenSums[a] >>> 8;
                int lo = lenSums[a] & 0xff;
                for (long pn = first; pn < first + count; pn++) {
                    if (!has(pn)) continue;
                    int c = Gf256.coef(rows[a], (int) (pn - first));
                    int l = kept.length(pn);
                    Gf256.mulAdd(syn[a], kept.data(pn), Math.min(l, sumBytes), c);
                    hi ^= Gf256.mul(c, l >>> 8);
                    lo ^= Gf256.mul(c, l & 0xff);
                }
                synLen[a] = hi << 8 | lo;
            }
            java.util.List<ByteBuf> out = new java.util.ArrayList<>(e);
            for (int b = 0; b < e; b++) {
                int hi = 0;
                int lo = 0;
                byte[] d = new byte[sumBytes];
                for (int a = 0; a < e; a++) {
                    Gf256.mulAdd(d, syn[a], sumBytes, m[b][a]);
                    hi ^= Gf256.mul(m[b][a], synLen[a] >>> 8);
                    lo ^= Gf256.mul(m[b][a], synLen[a] & 0xff);
                }
                int len = hi << 8 | lo;
                if (len < PacketHeader.SHORT_LENGTH || len > sumBytes) continue; // inconsistent rows: nothing trustworthy
                out.add(alloc.buffer(len).writeBytes(d, 0, len));
            }
            return out;
        }
    }
}
