package dev.wanx.transport;

import java.util.Objects;

/** What a stream open carries: the destination the far end must dial, and the protocol hint. */
public record StreamOpen(String host, int port, Hint hint) {
    public StreamOpen {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(hint, "hint");
        if (host.isEmpty() || host.length() > 255) throw new IllegalArgumentException("bad host length: " + host.length());
        if (port < 1 || port > 65535) throw new IllegalArgumentException("bad port: " + port);
    }

    public String hostPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override public String toString() { return hostPort() + "/" + hint.name().toLowerCase(); }
}
