package dev.wanx.near;

import dev.wanx.transport.HostPort;
import java.net.InetSocketAddress;

/** Parsing of listen addresses: {@code PORT}, {@code HOST:PORT} or {@code [IPV6]:PORT}. */
public final class Addresses {
    private Addresses() { }

    public static InetSocketAddress parseListen(String s, String defaultHost) {
        if (s.matches("\\d+")) {
            HostPort hp = HostPort.parse(defaultHost + ":" + s);
            return new InetSocketAddress(hp.host(), hp.port());
        }
        HostPort hp = HostPort.parse(s);
        return new InetSocketAddress(hp.host(), hp.port());
    }
}
