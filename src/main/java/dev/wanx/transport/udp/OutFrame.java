package dev.wanx.transport.udp;

import io.netty.buffer.ByteBuf;

/**
 * A frame from the session layer waiting for acknowledgement. Lives from {@code send()} until any packet
 * carrying it is acked; a lost packet puts its unacked frames back on the retransmit queue, so the same
 * frame may travel in several packets (the receiver dedupes by {@link #id}).
 */
final class OutFrame {
    final long id;
    ByteBuf data;
    boolean acked;
    /** True while it sits in the retransmit queue (so two losses do not queue it twice). */
    boolean queued;
    /** Packets carrying it judged lost so far (for the loss trace: a frame lost again and again stalls its stream). */
    int losses;

    OutFrame(long id, ByteBuf data) {
        this.id = id;
        this.data = data;
    }

    /** Bytes it takes in a packet: {@code v}, the peer reads DATA_V. */
    int wireSize(boolean v) { return Frames.dataOverhead(v, id) + data.readableBytes(); }

    /** Frees the payload once acked; idempotent. */
    void release() {
        if (data != null) {
            data.release();
            data = null;
        }
    }
}
