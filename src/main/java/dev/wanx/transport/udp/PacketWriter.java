package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.net.InetSocketAddress;

/**
 * Our DATA packets, one at a time: the plaintext their frames are written into, sealing under the next packet number
 * (every packet gets a new one, re-sends included), and handing the datagram to the {@link UdpConnection.Io}.
 */
final class PacketWriter {
    private final long cid;
    private final PacketCipher sealer;
    private final ByteBuf plain;
    /**
     * The packet being sealed: reused, the Io copies it (heap: the JDK's AES-GCM is quicker on arrays than direct memory).
     * Its own array, not a pooled one: the JDK copies the input to a fresh buffer per call when input and output share an
     * array (as two slices of one pooled chunk do) and the output lies after the input.
     */
    private final ByteBuf sealed;
    private final ConnectionCounters counters;
    private final ParitySender parityOut;
    private final UdpConnection.Io io;
    private long nextPn;
    /** The peer reads SHORT packets (its hello said so): 4 header bytes fewer per packet. */
    private boolean shortHeader;

    PacketWriter(long cid, PacketCipher sealer, int largestPayload, int maxDatagram, ByteBufAllocator alloc,
                 ConnectionCounters counters, ParitySender parityOut, UdpConnection.Io io) {
        this.cid = cid;
        this.sealer = sealer;
        this.plain = alloc.heapBuffer(largestPayload + 64);
        this.sealed = Unpooled.wrappedBuffer(new byte[maxDatagram]).clear();
        this.counters = counters;
        this.parityOut = parityOut;
        this.io = io;
    }

    /** Starts a packet: the plaintext buffer, empty, for its frames. */
    ByteBuf begin() {
        sealed.clear();
        return plain.clear();
    }

    void peerReadsShort(boolean reads) { this.shortHeader = reads; }

    boolean peerReadsShort() { return shortHeader; }

    /** Bytes of the header our packets carry now. */
    private int headerLength() { return shortHeader ? PacketHeader.SHORT_LENGTH : PacketHeader.LENGTH; }

    /** Payload bytes a datagram of a given size holds beyond what it would under the long header. */
    int headerSaving() { return PacketHeader.LENGTH - headerLength(); }

    /** The packet number the packet being built gets. */
    long nextPn() { return nextPn; }

    /** The packet being built as it will go on the wire: header, frames, tag. */
    int wireSize() { return headerLength() + plain.readableBytes() + PacketCipher.TAG; }

    /** Seals and sends the packet. {@code alone}: a datagram of its own, never batched with others (a path-MTU probe). */
    void seal(InetSocketAddress to, boolean alone) {
        long pn = nextPn++;
        if (shortHeader) {
            PacketHeader.writeShort(sealed, cid, pn);
        } else {
            PacketHeader.write(sealed, PacketHeader.TYPE_DATA, cid, pn);
        }
        sealer.seal(pn, sealed.slice(0, headerLength()), plain, sealed);
        counters.packetsSent++;
        counters.wireBytesSent += sealed.readableBytes();
        if (alone) {
            io.sendDatagram(sealed.copy(), to);
            return;
        }
        parityOut.onSealed(sealed, pn);
        io.sendDatagramCopy(sealed, to);
    }

    void release() {
        plain.release();
        sealed.release();
    }
}
