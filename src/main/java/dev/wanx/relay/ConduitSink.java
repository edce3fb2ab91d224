package dev.wanx.relay;

import io.netty.buffer.ByteBuf;

/** Inbound events of a {@link Conduit}; all calls come on the conduit's executor. */
public interface ConduitSink {
    /** Bytes arrived; the sink owns {@code data} and must release it (or pass it on). */
    void onData(ByteBuf data);

    /** The other end half-closed: no more data will come. */
    void onInputShutdown();

    /** The conduit is fully closed; {@code cause} is null for a clean close (both directions ended). */
    void onClosed(Throwable cause);

    /** The conduit's outbound side crossed its high- or low-water mark. */
    void onWritabilityChanged(boolean writable);
}
