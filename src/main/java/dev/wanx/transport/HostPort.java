package dev.wanx.transport;

/** host:port with IPv6 literals in brackets; validates the port. */
public record HostPort(String host, int port) {
    public static HostPort parse(String s) {
        String host;
        String portStr;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("'" + s + "': expected [IPV6]:PORT");
            }
            host = s.substring(1, close);
            portStr = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon <= 0) throw new IllegalArgumentException("'" + s + "': expected HOST:PORT");
            host = s.substring(0, colon);
            portStr = s.substring(colon + 1);
            if (host.indexOf(':') >= 0) throw new IllegalArgumentException("'" + s + "': put IPv6 addresses in brackets, [::1]:PORT");
        }
        int port;
        try {
            port = Integer.parseInt(portStr);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "': port '" + portStr + "' is not a number");
        }
        if (port < 1 || port > 65535) throw new IllegalArgumentException("'" + s + "': port must be 1-65535");
        if (host.isEmpty()) throw new IllegalArgumentException("'" + s + "': empty host");
        return new HostPort(host, port);
    }

    @Override public String toString() { return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port; }
}
