package dev.wanx.transport.tcp;

import dev.wanx.crypto.Aead;
import dev.wanx.transport.FrameLink;
import dev.wanx.transport.SessionStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The TCP carrier's {@link FrameLink} after the handshake: seals each session frame into one record with an
 * implicit counter nonce (TCP keeps order, so a replayed, dropped or reordered record fails authentication
 * and ends the connection). Pings keep NATs open and detect a dead far.
 */
final class TcpLink extends ChannelInboundHandlerAdapter implements FrameLink {
    private final Channel channel;
    private final Aead sealer;
    private final Aead opener;
    private final String peerName;
    private long sendCounter;
    private long recvCounter;
    private Handler handler;
    private final List<ByteBuf> early = new ArrayList<>();
    private boolean closed;
    private Throwable failure;
    private volatile long wireSent;
    private volatile long wireReceived;
    private byte[] announcement = new byte[0];

    TcpLink(Channel channel, Aead sealer, Aead opener, String peerName) {
        this.channel = channel;
        this.sealer = sealer;
        this.opener = opener;
        this.peerName = peerName;
    }

    @Override public int maxFrameSize() { return TcpRecords.MAX_FRAME; }

    @Override public boolean isWritable() { return channel.isWritable(); }

    @Override public void send(ByteBuf frame) {
        try {
            if (closed) return;
            if (frame.readableBytes() > TcpRecords.MAX_FRAME) throw new IllegalArgumentException("frame too large: " + frame.readableBytes());
            sendRecord(TcpRecords.KIND_FRAME, frame);
        } finally {
            frame.release();
        }
    }

    private void sendRecord(int kind, ByteBuf body) {
        ByteBuf plain = channel.alloc().buffer(1 + body.readableBytes());
        try {
            plain.writeByte(kind).writeBytes(body, body.readerIndex(), body.readableBytes());
            ByteBuf out = channel.alloc().buffer(plain.readableBytes() + TcpRecords.TAG);
            sealer.seal(sendCounter++, Unpooled.EMPTY_BUFFER, plain, out);
            wireSent += out.readableBytes() + 2;
            channel.write(out, channel.voidPromise());
        } finally {
            plain.release();
        }
    }

    @Override public void flush() { channel.flush(); }

    @Override public void setHandler(Handler h) {
        this.handler = h;
        for (ByteBuf b : early) h.onFrame(b);
        early.clear();
        if (closed) h.onClosed(failure);
    }

    @Override public EventLoop eventLoop() { return channel.eventLoop(); }

    @Override public void close(String reason) {
        if (failure == null) failure = new IOException(reason);
        channel.close();
    }

    /** Set once by the dial from the far's WELCOME. */
    void setAnnouncement(byte[] a) { this.announcement = a; }

    @Override public byte[] farAnnouncement() { return announcement.clone(); }

    @Override public String name() { return "tcp"; }

    @Override public String peerName() { return peerName; }

    @Override public SessionStats carrierStats() {
        return new SessionStats(0, 0, 0, 0, wireSent, wireReceived, 0, 0, 0);
    }

    // ---- inbound: sealed records (length prefix already stripped) ----

    @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf rec = (ByteBuf) msg;
        try {
            wireReceived += rec.readableBytes() + 2;
            ByteBuf plain = ctx.alloc().buffer(Math.max(0, rec.readableBytes() - TcpRecords.TAG));
            if (rec.readableBytes() < TcpRecords.TAG + 1 || !opener.open(recvCounter++, Unpooled.EMPTY_BUFFER, rec, plain)) {
                plain.release();
                fail(new IOException("record failed authentication (tampered, replayed or out of order)"));
                return;
            }
            int kind = plain.readUnsignedByte();
            switch (kind) {
                case TcpRecords.KIND_FRAME -> deliver(plain);
                case TcpRecords.KIND_PING -> {
                    plain.release();
                    sendRecord(TcpRecords.KIND_PONG, Unpooled.EMPTY_BUFFER);
                    channel.flush();
                }
                default -> plain.release(); // pong or a kind from a newer version: nothing to do
            }
        } finally {
            rec.release();
        }
    }

    private void deliver(ByteBuf frame) {
        if (handler == null) early.add(frame);
        else handler.onFrame(frame);
    }

    @Override public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent e) {
            if (e.state() == IdleState.WRITER_IDLE) {
                sendRecord(TcpRecords.KIND_PING, Unpooled.EMPTY_BUFFER);
                channel.flush();
            } else if (e.state() == IdleState.READER_IDLE) {
                fail(new IOException("peer " + peerName + " silent for too long"));
            }
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (handler != null) handler.onWritabilityChanged(channel.isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) { fail(cause); }

    private void fail(Throwable cause) {
        if (failure == null) failure = cause;
        channel.close();
    }

    @Override public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        for (ByteBuf b : early) b.release();
        early.clear();
        if (handler != null) handler.onClosed(failure != null ? failure : new IOException("connection to " + peerName + " closed"));
    }
}
