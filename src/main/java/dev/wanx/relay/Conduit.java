package dev.wanx.relay;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;

/**
 * A duplex byte pipe with backpressure: an app socket, an origin socket and a tunnel stream all look like this,
 * so one {@link Relay} joins any two of them (and a data-reduction codec can wrap one).
 *
 * <p>Every method is thread-safe. Sink callbacks run on {@link #executor()}. Nothing is delivered to the
 * sink before {@link #setSink} is called: bytes wait in bounded buffers (and the sender is slowed) until then.
 */
public interface Conduit {
    /** Queues bytes for sending and takes ownership of {@code data}. Never blocks; respect {@link #isWritable()}. */
    void write(ByteBuf data);

    /** Half-close: no more writes; the other end sees end-of-data after every byte written before. */
    void shutdownOutput();

    /** Aborts both directions; the other end sees an error, not a clean end. Idempotent. */
    void abort(Throwable cause);

    /** False while this conduit's outbound buffer is above its high-water mark. */
    boolean isWritable();

    /** Inbound backpressure: while false, no {@link ConduitSink#onData} call is made. */
    void setReadEnabled(boolean enabled);

    /** Sets the receiver of inbound events and starts delivery. Call once. */
    void setSink(ConduitSink sink);

    /** The thread the sink's callbacks run on. */
    EventExecutor executor();

    /** For logs: where this conduit leads. */
    String describe();
}
