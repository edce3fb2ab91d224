package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;

import java.net.InetSocketAddress;

/**
 * Writes one link's datagrams to a channel, copying back-to-back datagrams of equal size to one address into a
 * single buffer that goes out as one {@code UDP_SEGMENT} (GSO) send: the kernel runs the IP stack once per run
 * instead of once per packet and cuts it into the same datagrams on the wire. Only on epoll with kernel
 * support; elsewhere (and after the kernel refused a segmented send once, e.g. a device without checksum
 * offload) each datagram is written on its own, as before. Runs end at {@link #flush}, so nothing waits.
 * One instance per link, used on the channel's event loop.
 */
final class DatagramBatcher {
    /** Pooled thread caches keep buffers up to 32 KiB, so a run buffer is a cache hit. */
    static final int MAX_RUN_BYTES = 32 << 10;
    /** The kernel's UDP_MAX_SEGMENTS is 64 (128 in newer kernels). */
    static final int MAX_SEGMENTS = 64;
    /**
     * {@code -Dwanx.udp.offload=false} turns GSO sends off (on where the kernel has UDP_SEGMENT). There is no GRO on the
     * receiving side: Netty 4.1's recvmmsg does not report the merged segment size, and its recvmsg path that does costs
     * one system call per read (measured: ~20 % more CPU per GB on loopback than recvmmsg without GRO).
     */
    static final boolean OFFLOAD = !"false".equals(System.getProperty("wanx.udp.offload"));

    private final ByteBufAllocator alloc;
    private boolean gso;
    private ByteBuf run;
    private InetSocketAddress runTo;
    private int segment;
    private int count;
    private boolean shortTail;

    DatagramBatcher(ByteBufAllocator alloc, Channel channel) {
        this.alloc = alloc;
        this.gso = supports(channel);
    }

    static boolean supports(Channel channel) {
        return OFFLOAD && channel instanceof EpollDatagramChannel && EpollDatagramChannel.isSegmentedDatagramPacketSupported();
    }

    /** A new channel (the near end rebound): GSO follows what it supports. Call after {@link #flush}. */
    void channelChanged(Channel channel) { gso = supports(channel); }

    boolean gso() { return gso; }

    /** Sends a datagram the caller keeps (its readable bytes are copied now). */
    void addCopy(Channel ch, ByteBuf datagram, InetSocketAddress to) {
        int len = datagram.readableBytes();
        if (!gso) {
            ch.write(new DatagramPacket(alloc.directBuffer(len).writeBytes(datagram, datagram.readerIndex(), len), to), ch.voidPromise());
            return;
        }
        if (run != null && (shortTail || len > segment || count == MAX_SEGMENTS || run.writerIndex() + len > MAX_RUN_BYTES
                || !to.equals(runTo))) {
            emit(ch);
        }
        if (run == null) {
            run = alloc.directBuffer(Math.max(len, MAX_RUN_BYTES));
            runTo = to;
            segment = len;
            count = 0;
            shortTail = false;
        }
        run.writeBytes(datagram, datagram.readerIndex(), len);
        count++;
        shortTail = len < segment; // a shorter datagram can only be a run's last segment
    }

    /** Sends a datagram handed over with its buffer (not batched: repairs and control packets are rare). */
    void addOwned(Channel ch, ByteBuf datagram, InetSocketAddress to) {
        emit(ch); // keep the order in which the connection sent
        ch.write(new DatagramPacket(datagram, to), ch.voidPromise());
    }

    /** Writes the open run, if any; the caller flushes the channel. */
    void flush(Channel ch) { emit(ch); }

    private void emit(Channel ch) {
        ByteBuf r = run;
        if (r == null) {
            return;
        }
        run = null;
        if (count == 1) {
            ch.write(new DatagramPacket(r, runTo), ch.voidPromise());
            return;
        }
        ch.write(new io.netty.channel.unix.SegmentedDatagramPacket(r, segment, runTo)).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess() && f.channel().isOpen()) {
                gso = false; // e.g. EIO without checksum offload: the run counts as lost, later packets go one by one
            }
        });
    }

    /** Drops an open run (the link is closing without flushing). */
    void discard() {
        if (run != null) {
            run.release();
            run = null;
        }
    }
}
