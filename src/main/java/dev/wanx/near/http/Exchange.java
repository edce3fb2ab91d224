package dev.wanx.near.http;

import io.netty.handler.codec.http.HttpVersion;

/** The request an {@link HttpProxyHandler} is serving and what it learned about it; confined to its event loop. */
final class Exchange {
    final boolean keepAlive;
    final HttpVersion clientVersion;
    boolean requestDone;
    boolean responseStarted;
    boolean interim;
    boolean upstreamReusable;
    boolean closeClient;
    /** The copy kept for a retry after a tunnel loss; set with the exchange, never null. */
    RequestReplay replay;

    Exchange(boolean keepAlive, HttpVersion clientVersion) {
        this.keepAlive = keepAlive;
        this.clientVersion = clientVersion;
    }
}
