package dev.wanx.transport.session;

import dev.wanx.transport.FrameLink;
import dev.wanx.transport.SessionStats;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Two FrameLinks joined in memory. With {@code shuffleSeed} set, frames flushed together are delivered in a
 * seeded random order, as the UDP carrier may deliver them.
 */
final class MemoryLink implements FrameLink {
    private final EventLoop loop;
    private final String name;
    private final int maxFrame;
    private final Random shuffle;
    MemoryLink peer;
    private Handler handler;
    private final List<ByteBuf> pending = new ArrayList<>();
    private final List<ByteBuf> beforeHandler = new ArrayList<>();
    private boolean closed;
    volatile boolean writable = true;
    /** Frames sent while set vanish: a peer that went silent without closing. */
    volatile boolean mute;
    /** What {@link #lastHeardNs} reports: carrier-level signs of life (acks) the frames do not show. */
    volatile long carrierHeardNs = Long.MIN_VALUE;

    @Override public long lastHeardNs() { return carrierHeardNs; }
    long framesSent;
    /** The type byte of every frame sent, in order. */
    final java.util.Queue<Integer> sentTypes = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private MemoryLink(EventLoop loop, String name, int maxFrame, Random shuffle) {
        this.loop = loop;
        this.name = name;
        this.maxFrame = maxFrame;
        this.shuffle = shuffle;
    }

    static MemoryLink[] pair(EventLoop a, EventLoop b, int maxFrame, Long shuffleSeed) {
        Random r = shuffleSeed == null ? null : new Random(shuffleSeed);
        MemoryLink x = new MemoryLink(a, "near", maxFrame, r);
        MemoryLink y = new MemoryLink(b, "far", maxFrame, r == null ? null : new Random(shuffleSeed + 1));
        x.peer = y;
        y.peer = x;
        return new MemoryLink[] {x, y};
    }

    @Override public int maxFrameSize() { return maxFrame; }

    @Override public boolean isWritable() { return writable; }

    @Override public void send(ByteBuf frame) {
        if (frame.readableBytes() > maxFrame) throw new IllegalArgumentException("frame too large: " + frame.readableBytes());
        if (closed) {
            frame.release();
            return;
        }
        framesSent++;
        if (frame.isReadable()) sentTypes.add((int) frame.getUnsignedByte(frame.readerIndex()));
        if (mute) {
            frame.release();
            return;
        }
        pending.add(frame);
    }

    @Override public void flush() {
        if (pending.isEmpty()) return;
        List<ByteBuf> batch = new ArrayList<>(pending);
        pending.clear();
        if (shuffle != null) java.util.Collections.shuffle(batch, shuffle);
        MemoryLink p = peer;
        if (!onPeerLoop(() -> batch.forEach(p::receive))) batch.forEach(ByteBuf::release);
    }

    /**
     * Runs {@code task} on the peer's loop; false if that loop is shutting down. A test's teardown may shut it down
     * between a check and the execute, and a rejected task thrown on this loop (DefaultEventLoop does not catch)
     * would end it with that exception.
     */
    private boolean onPeerLoop(Runnable task) {
        if (peer.loop.isShuttingDown()) return false;
        try {
            peer.loop.execute(task);
            return true;
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return false;
        }
    }

    private void receive(ByteBuf f) {
        if (closed) {
            f.release();
            return;
        }
        if (handler == null) beforeHandler.add(f);
        else handler.onFrame(f);
    }

    @Override public void setHandler(Handler h) {
        this.handler = h;
        beforeHandler.forEach(h::onFrame);
        beforeHandler.clear();
    }

    @Override public EventLoop eventLoop() { return loop; }

    @Override public void close(String reason) {
        closeLocal(new java.io.IOException(reason));
        MemoryLink p = peer;
        onPeerLoop(() -> p.closeLocal(new java.io.IOException("peer closed: " + reason)));
    }

    void closeLocal(Throwable cause) {
        if (closed) return;
        closed = true;
        pending.forEach(ByteBuf::release);
        pending.clear();
        if (handler != null) handler.onClosed(cause);
    }

    void setWritable(boolean w) {
        loop.execute(() -> {
            writable = w;
            if (handler != null) handler.onWritabilityChanged(w);
        });
    }

    @Override public String name() { return "memory"; }

    @Override public String peerName() { return name.equals("near") ? "far" : "near"; }

    @Override public SessionStats carrierStats() { return new SessionStats(0, 0, 0, 0, 0, 0, 0, 0, 0); }
}
