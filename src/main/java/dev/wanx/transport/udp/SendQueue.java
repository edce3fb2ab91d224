package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;

import java.util.ArrayDeque;

/**
 * The sender's frames between {@code send()} and their acknowledgement: new frames in arrival order, and
 * frames of lost packets (or probe re-sends) waiting to go again, which take precedence. Counts the bytes
 * not yet packetised and not yet acked, which drive writability and the memory budget.
 */
final class SendQueue {
    private final ArrayDeque<OutFrame> pending = new ArrayDeque<>();
    private final ArrayDeque<OutFrame> retransmit = new ArrayDeque<>();
    private long nextFrameId;
    private long pendingBytes;
    private long unackedBytes;

    /** The id the next frame queued gets. */
    long nextFrameId() { return nextFrameId; }

    void add(ByteBuf frame) {
        int len = frame.readableBytes();
        pending.addLast(new OutFrame(nextFrameId++, frame));
        pendingBytes += len;
        unackedBytes += len;
    }

    /** Drops re-sends whose frame got acked meanwhile (through another copy). */
    private void skipAcked() {
        while (!retransmit.isEmpty() && retransmit.peekFirst().acked) {
            retransmit.pollFirst().queued = false;
        }
    }

    boolean isEmpty() {
        skipAcked();
        return retransmit.isEmpty() && pending.isEmpty();
    }

    boolean hasNew() { return !pending.isEmpty(); }

    /** The next frame to put in a packet (re-sends first), or null; {@link #take} it once it fits. */
    OutFrame peek() {
        skipAcked();
        OutFrame f = retransmit.peekFirst();
        return f != null ? f : pending.peekFirst();
    }

    /** Removes the frame returned by {@link #peek}; true if it is a re-send. */
    boolean take(OutFrame f) {
        if (f == retransmit.peekFirst()) {
            retransmit.pollFirst();
            f.queued = false;
            return true;
        }
        pending.pollFirst();
        pendingBytes -= f.data.readableBytes();
        return false;
    }

    /**
     * Replaces the frame returned by {@link #peek} with the parts {@code splitter} cuts it into (the first at most
     * {@code maxLen} bytes), each a new frame with its own id; false (nothing changed) if it cannot be cut. The
     * original counts as acked from here on: copies of it still in flight are ignored when acked or lost, and the
     * receiver, which dedupes frames by id, may get both it and the parts (the session layer dedupes by offset).
     */
    boolean split(OutFrame f, int maxLen, dev.wanx.transport.FrameLink.FrameSplitter splitter) {
        if (maxLen <= 0) {
            return false;
        }
        io.netty.buffer.ByteBuf[] parts = splitter.split(f.data, maxLen);
        if (parts == null) {
            return false;
        }
        boolean resend = take(f);
        onAcked(f); // the parts stand in for it
        for (int i = parts.length - 1; i >= 0; i--) {
            OutFrame p = new OutFrame(nextFrameId++, parts[i]);
            int n = parts[i].readableBytes();
            unackedBytes += n;
            if (resend) {
                p.queued = true;
                retransmit.addFirst(p);
            } else {
                pending.addFirst(p);
                pendingBytes += n;
            }
        }
        return true;
    }

    /** A packet carrying this frame was lost: send it again unless it already got through or is queued. */
    void onLost(OutFrame f) {
        if (f.acked) return;
        f.losses++;
        if (!f.queued) {
            f.queued = true;
            retransmit.addLast(f);
        }
    }

    /** A probe re-sends this frame ahead of everything else, without calling its packet lost. */
    void probe(OutFrame f) {
        if (!f.acked && !f.queued) {
            f.queued = true;
            retransmit.addFirst(f);
        }
    }

    void onAcked(OutFrame f) {
        if (!f.acked) {
            f.acked = true;
            unackedBytes -= f.data.readableBytes();
            f.release();
        }
    }

    long pendingBytes() { return pendingBytes; }

    long unackedBytes() { return unackedBytes; }

    int pendingFrames() { return pending.size(); }

    int retransmitFrames() { return retransmit.size(); }

    /** Frees every queued frame (at close; frames in flight are freed through their packets). */
    void releaseAll() {
        for (OutFrame f : retransmit) {
            f.release();
        }
        for (OutFrame f : pending) {
            f.release();
        }
        retransmit.clear();
        pending.clear();
    }
}
