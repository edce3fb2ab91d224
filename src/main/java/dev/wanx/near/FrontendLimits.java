package dev.wanx.near;

import java.time.Duration;

/**
 * Timeouts and size limits shared by the near's front-ends. Small on purpose: anything a client can hold
 * open or make us buffer has a bound here.
 *
 * @param handshakeTimeout SOCKS5 greeting+auth+request must complete within this
 * @param headerTimeout    an HTTP request head must be complete this long after its first byte (or after accept)
 * @param idleTimeout      an HTTP proxy connection with no traffic either way is closed after this
 * @param maxInitialLine   longest HTTP request line accepted (longer: 414)
 * @param maxHeaderSize    largest HTTP header block accepted (larger: 431)
 */
public record FrontendLimits(Duration handshakeTimeout, Duration headerTimeout, Duration idleTimeout,
                             int maxInitialLine, int maxHeaderSize) {
    public static final FrontendLimits DEFAULTS = new FrontendLimits(
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(5), 8 * 1024, 32 * 1024);

    public FrontendLimits withHandshakeTimeout(Duration d) {
        return new FrontendLimits(d, headerTimeout, idleTimeout, maxInitialLine, maxHeaderSize);
    }

    public FrontendLimits withHeaderTimeout(Duration d) {
        return new FrontendLimits(handshakeTimeout, d, idleTimeout, maxInitialLine, maxHeaderSize);
    }

    public FrontendLimits withIdleTimeout(Duration d) {
        return new FrontendLimits(handshakeTimeout, headerTimeout, d, maxInitialLine, maxHeaderSize);
    }
}
