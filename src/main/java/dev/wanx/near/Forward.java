package dev.wanx.near;

import dev.wanx.transport.HostPort;
import dev.wanx.transport.Hint;
import java.net.InetSocketAddress;

/** A static port forward: connections to {@code listen} go to {@code host:port}, tagged with a protocol hint. */
public record Forward(Hint hint, InetSocketAddress listen, String host, int port) {

    /**
     * Parses {@code [PROTO:]LADDR=HOST:PORT}, where LADDR is {@code PORT} or {@code HOST:PORT} (IPv6 in brackets).
     * Examples: {@code 8445=fileserver:445}, {@code smb:127.0.0.1:8445=fileserver:445}.
     */
    public static Forward parse(String spec) {
        int eq = spec.indexOf('=');
        if (eq < 0) throw new IllegalArgumentException("forward '" + spec + "': expected [PROTO:]LADDR=HOST:PORT");
        String left = spec.substring(0, eq);
        String right = spec.substring(eq + 1);
        Hint hint = Hint.RAW;
        int colon = left.indexOf(':');
        if (colon > 0 && !Character.isDigit(left.charAt(0)) && left.charAt(0) != '[') {
            String maybe = left.substring(0, colon);
            try {
                hint = Hint.parse(maybe);
                left = left.substring(colon + 1);
            } catch (IllegalArgumentException notAHint) {
                // a host name such as localhost:8080: no hint given
            }
        }
        InetSocketAddress listen = Addresses.parseListen(left, "127.0.0.1");
        HostPort dest = HostPort.parse(right);
        return new Forward(hint, listen, dest.host(), dest.port());
    }
}
