package dev.wanx.transport.udp;

import dev.wanx.relay.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramPacket;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Channel handler that passes each received datagram (after the optional test impairment) to a
 * dispatcher and releases it afterwards: dispatchers never keep the buffer. Datagrams read back to back
 * (one recvmmsg returns up to 32) form a batch: the dispatcher takes them in without sending, and sends what
 * they made due (acks, data an ack let out) once at the batch's end: at {@code channelReadComplete}, after
 * {@link #MAX_BATCH} datagrams at the latest, and after each datagram a test filter held back.
 */
final class DatagramInbound extends ChannelInboundHandlerAdapter implements DatagramFilter.Delivery {
    interface Dispatcher {
        void onDatagram(ByteBuf content, InetSocketAddress sender);

        /** The batch of datagrams passed since the last call ended: send what they made due, now. */
        void endOfBatch();
    }

    /** One recvmmsg's worth; a read may loop over several, and acks due must not wait for all of them. */
    static final int MAX_BATCH = 32;

    private final Dispatcher dispatcher;
    private final DatagramFilter filter;
    private EventLoop loop;
    private int inBatch;
    /** Held back by the filter (tests only), released if the socket closes first. */
    private final java.util.Set<DatagramPacket> delayed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    DatagramInbound(Dispatcher dispatcher, DatagramFilter filter) {
        this.dispatcher = dispatcher;
        this.filter = filter;
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) throws Exception {
        loop = ctx.channel().eventLoop();
        super.channelRegistered(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket p)) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        if (filter == null) {
            now(p);
        } else {
            filter.filter(p, this);
        }
        if (++inBatch >= MAX_BATCH) {
            endOfBatch();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        endOfBatch();
        ctx.fireChannelReadComplete();
    }

    private void endOfBatch() {
        inBatch = 0;
        dispatcher.endOfBatch();
    }

    @Override
    public void now(DatagramPacket p) {
        try {
            dispatcher.onDatagram(p.content(), p.sender());
        } finally {
            p.release();
        }
    }

    @Override
    public void after(DatagramPacket p, long delayNs) {
        delayed.add(p);
        loop.schedule(() -> {
            if (delayed.remove(p)) {
                now(p);
                dispatcher.endOfBatch(); // a batch of one: it arrives on its own
            }
        }, delayNs, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        // Packets held back by a test filter die with the socket (their timers may never run once the loop stops).
        for (DatagramPacket p : delayed) p.release();
        delayed.clear();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A datagram socket error (e.g. ICMP port unreachable) is not fatal: loss detection copes.
    }

    /** Linux setsockopt(IPPROTO_IP = 0, IP_MTU_DISCOVER = 10) and (IPPROTO_IPV6 = 41, IPV6_MTU_DISCOVER = 23). */
    private static final io.netty.channel.unix.IntegerUnixChannelOption IP_MTU_DISCOVER =
            new io.netty.channel.unix.IntegerUnixChannelOption("IP_MTU_DISCOVER", 0, 10);
    private static final io.netty.channel.unix.IntegerUnixChannelOption IPV6_MTU_DISCOVER =
            new io.netty.channel.unix.IntegerUnixChannelOption("IPV6_MTU_DISCOVER", 41, 23);
    /** IP_PMTUDISC_PROBE and IPV6_PMTUDISC_PROBE: set DF, never fragment locally, ignore the cached path MTU. */
    private static final int IP_PMTUDISC_PROBE = 3;

    /** Binds a datagram channel of the platform's best kind on {@code loop}. */
    static ChannelFuture bind(EventLoop loop, InetSocketAddress local, DatagramInbound handler, UdpOptions opts) {
        Bootstrap b = new Bootstrap().group(loop).channel(NettyTransport.datagram())
                .option(ChannelOption.SO_RCVBUF, opts.socketBufferBytes())
                .option(ChannelOption.SO_SNDBUF, opts.socketBufferBytes())
                .handler(handler);
        if (NettyTransport.epoll()) {
            // recvmmsg: up to 32 datagrams per system call into one buffer (each DatagramPacket is a slice of it).
            // A slot smaller than the largest datagram would truncate it (a REPAIR is 20 bytes over a full DATA packet).
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, opts.maxReceiveDatagram())
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(opts.maxReceiveDatagram() * 32));
            // Path-MTU probing needs the DF bit and no fragmentation by this host: a probe too large must be lost, not
            // cut in two (IP_PMTUDISC_PROBE also ignores the kernel's cached path MTU, which the probes measure).
            b.option(IP_MTU_DISCOVER, IP_PMTUDISC_PROBE);
            if (local.getAddress() instanceof java.net.Inet6Address) {
                b.option(IPV6_MTU_DISCOVER, IP_PMTUDISC_PROBE);
            }
        }
        return b.bind(local);
    }

    static DatagramFilter filterOf(UdpOptions opts) {
        return opts.inboundFilter() == null ? null : opts.inboundFilter().get();
    }
}
