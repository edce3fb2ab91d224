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
 * dispatcher and releases it afterwards: dispatchers never keep the buffer.
 */
final class DatagramInbound extends ChannelInboundHandlerAdapter implements DatagramFilter.Delivery {
    interface Dispatcher {
        void onDatagram(ByteBuf content, InetSocketAddress sender);
    }

    private final Dispatcher dispatcher;
    private final DatagramFilter filter;
    private EventLoop loop;
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
            if (delayed.remove(p)) now(p);
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
        }
        return b.bind(local);
    }

    static DatagramFilter filterOf(UdpOptions opts) {
        return opts.inboundFilter() == null ? null : opts.inboundFilter().get();
    }
}
