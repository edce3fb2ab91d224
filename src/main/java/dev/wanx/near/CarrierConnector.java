package dev.wanx.near;

import dev.wanx.transport.FrameLink;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/** Dials one far (at its address, with its public key) over one carrier and completes with an authenticated link. */
@FunctionalInterface
public interface CarrierConnector {
    CompletableFuture<FrameLink> connect(InetSocketAddress far, byte[] farKey);
}
