package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * Copies of the last datagrams by packet number (slot = pn mod size), for parity: the receiver's, to rebuild a lost
 * one ({@link Fec.Receiver}), and the sender's, to compute a tail's repairs after the fact ({@link TailParity}). A slot's
 * buffer is allocated on first use, so a connection that never needs many pays nothing for them.
 */
final class DatagramRing {
    private final int maxDatagram;
    private final long[] pns;
    private final byte[][] data;
    private final int[] lens;

    DatagramRing(int slots, int maxDatagram) {
        this.maxDatagram = maxDatagram;
        this.pns = new long[slots];
        this.data = new byte[slots][];
        this.lens = new int[slots];
        Arrays.fill(pns, -1);
    }

    /** Keeps a copy of {@code datagram}'s readable bytes as {@code pn}; one longer than the max is not kept (its slot empties). */
    void put(ByteBuf datagram, long pn) {
        int s = slot(pn);
        int len = datagram.readableBytes();
        if (len > maxDatagram) {
            pns[s] = -1;
            return;
        }
        if (data[s] == null) data[s] = new byte[maxDatagram];
        datagram.getBytes(datagram.readerIndex(), data[s], 0, len);
        lens[s] = len;
        pns[s] = pn;
    }

    boolean has(long pn) { return pn >= 0 && pns[slot(pn)] == pn; }

    /** The kept bytes of {@code pn} (valid up to {@link #length}); only after {@link #has}. */
    byte[] data(long pn) { return data[slot(pn)]; }

    int length(long pn) { return lens[slot(pn)]; }

    /** Forgets every datagram and frees their memory. */
    void clear() {
        Arrays.fill(pns, -1);
        Arrays.fill(data, null);
    }

    private int slot(long pn) { return (int) (pn % pns.length); }
}
