package dev.wanx.transport;

import dev.wanx.relay.Conduit;

/** One app connection carried through the session. Bytes in order, half-close kept, independent of other streams. */
public interface TunnelStream extends Conduit {
    long id();

    StreamOpen open();

    /** Completes when the far has connected the destination, or exceptionally with a {@link DialException}. */
    java.util.concurrent.CompletableFuture<TunnelStream> opened();
}
