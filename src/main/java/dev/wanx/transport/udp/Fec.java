package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * XOR forward error correction over groups of consecutive sealed packets. A REPAIR packet carries the XOR of
 * up to {@link #MAX_GROUP} sealed datagrams (and of their lengths); a receiver missing exactly one of them
 * rebuilds it without a round trip, then opens it like any other packet (so a forged repair can only yield a
 * packet that fails authentication). The sender protects the start of each burst and its tail, where a loss
 * would otherwise cost a whole round trip of a short request/response; long bulk runs go unprotected, so
 * they pay no overhead. Repair layout (after the clear-text header, whose packet number is the group's first):
 * {@code count u8 | xorLength u16 | xor bytes (the longest datagram's length)}.
 */
final class Fec {
    static final int MAX_GROUP = 16;
    static final int REPAIR_FIXED = PacketHeader.LENGTH + 3;

    private Fec() { }

    /** Accumulates one group at a time on the sending side. */
    static final class Sender {
        private final int groupSize;
        private final byte[] xor;
        private final byte[] scratch;
        private int maxLen;
        private int xorLen;
        private long firstPn;
        private int count;

        Sender(int groupSize, int maxDatagram) {
            if (groupSize < 2 || groupSize > MAX_GROUP) throw new IllegalArgumentException("group size 2.." + MAX_GROUP);
            this.groupSize = groupSize;
            this.xor = new byte[maxDatagram];
            this.scratch = new byte[maxDatagram];
        }

        /** A sealed datagram went out with packet number {@code pn} (bytes readerIndex..writerIndex). */
        void onSealed(ByteBuf datagram, long pn) {
            if (count > 0 && pn != firstPn + count) reset(); // only consecutive numbers form a group
            if (count == 0) firstPn = pn;
            int len = datagram.readableBytes();
            // One bulk copy, then XOR over arrays: per-byte getByte on a direct buffer costs a bounds check each.
            datagram.getBytes(datagram.readerIndex(), scratch, 0, len);
            for (int i = 0; i < len; i++) xor[i] ^= scratch[i];
            maxLen = Math.max(maxLen, len);
            xorLen ^= len;
            count++;
        }

        boolean full() { return count >= groupSize; }

        boolean pending() { return count > 0; }

        /** Drops a partial group (its packets go unprotected). */
        void reset() {
            java.util.Arrays.fill(xor, 0, maxLen, (byte) 0);
            maxLen = 0;
            xorLen = 0;
            count = 0;
        }

        /** The REPAIR packet for the current group; starts a new group. */
        ByteBuf repair(ByteBufAllocator alloc, long cid) {
            ByteBuf out = alloc.directBuffer(REPAIR_FIXED + maxLen);
            PacketHeader.write(out, PacketHeader.TYPE_REPAIR, cid, firstPn);
            out.writeByte(count).writeShort(xorLen).writeBytes(xor, 0, maxLen);
            reset();
            return out;
        }
    }

    /** Keeps the last authentic datagrams to rebuild a missing one from a REPAIR. */
    static final class Receiver {
        /** Four groups' worth: repairs follow their group at once. Slots are allocated on first use (≤ 80 KB). */
        private static final int SLOTS = 64;
        private final long[] pns = new long[SLOTS];
        private final byte[][] data = new byte[SLOTS][];
        private final int[] lens = new int[SLOTS];
        private final int maxDatagram;

        Receiver(int maxDatagram) {
            java.util.Arrays.fill(pns, -1);
            this.maxDatagram = maxDatagram;
        }

        /** An authentic DATA packet arrived (its sealed bytes, header included). */
        void store(ByteBuf datagram, long pn) {
            int s = (int) (pn % SLOTS);
            int len = datagram.readableBytes();
            if (data[s] == null) data[s] = new byte[maxDatagram];
            datagram.getBytes(datagram.readerIndex(), data[s], 0, len);
            lens[s] = len;
            pns[s] = pn;
        }

        /** Whether packet {@code pn} is held (for tests and accounting). */
        boolean has(long pn) { return pn >= 0 && pns[(int) (pn % SLOTS)] == pn; }

        /**
         * Rebuilds the one missing datagram of the repair's group, or returns null (nothing missing, more than one
         * missing, malformed, or a group older than what is kept). {@code alreadyHave} tells packets received
         * earlier and since forgotten, so an old group is not "repaired" into a duplicate.
         */
        ByteBuf recover(ByteBuf repair, ByteBufAllocator alloc, java.util.function.LongPredicate alreadyHave) {
            int at = repair.readerIndex();
            int n = repair.readableBytes();
            if (n < REPAIR_FIXED + PacketHeader.LENGTH) return null;
            long first = repair.getLong(at + 9);
            int count = repair.getUnsignedByte(at + PacketHeader.LENGTH);
            int len = repair.getUnsignedShort(at + PacketHeader.LENGTH + 1);
            int xorBytes = n - REPAIR_FIXED;
            if (count < 1 || count > MAX_GROUP || first < 0 || xorBytes > maxDatagram) return null;
            long missing = -1;
            for (long pn = first; pn < first + count; pn++) {
                if (has(pn)) {
                    len ^= lens[(int) (pn % SLOTS)];
                } else if (alreadyHave.test(pn) || missing >= 0) {
                    return null; // forgotten (too old), or two missing: XOR cannot help
                } else {
                    missing = pn;
                }
            }
            if (missing < 0 || len < PacketHeader.LENGTH || len > xorBytes) return null;
            byte[] out = new byte[len];
            repair.getBytes(at + REPAIR_FIXED, out, 0, len);
            for (long pn = first; pn < first + count; pn++) {
                if (pn == missing) continue;
                int s = (int) (pn % SLOTS);
                byte[] d = data[s];
                for (int i = 0, m = Math.min(len, lens[s]); i < m; i++) out[i] ^= d[i];
            }
            return alloc.buffer(len).writeBytes(out);
        }
    }
}
