package dev.wanx.near.http;

import java.util.Locale;

/**
 * The parts of an absolute-form request URI ({@code http://host[:port]/path?query}) the proxy needs.
 * Parsed by hand because request URIs in the wild contain characters {@link java.net.URI} rejects.
 *
 * @param host       host without brackets (IPv6) or userinfo
 * @param port       explicit port or 80
 * @param authority  value for the Host header (host[:port] as the client wrote it, minus userinfo)
 * @param originForm path and query to send to the origin, at least "/"
 */
record ProxyTarget(String host, int port, String authority, String originForm) {

    /** Returns null when {@code uri} is not an absolute http:// URI with a valid authority. */
    static ProxyTarget parse(String uri) {
        if (uri.length() < 8 || !uri.substring(0, 7).toLowerCase(Locale.ROOT).equals("http://")) return null;
        int start = 7;
        int end = start;
        while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) end++;
        String authority = uri.substring(start, end);
        int at = authority.lastIndexOf('@');
        if (at >= 0) authority = authority.substring(at + 1); // credentials in the URL never go upstream
        String rest = uri.substring(end);
        int hash = rest.indexOf('#');
        if (hash >= 0) rest = rest.substring(0, hash); // fragments are not sent on the wire
        if (rest.isEmpty() || rest.charAt(0) == '?') rest = "/" + rest;

        String host;
        String portText = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) return null;
            host = authority.substring(1, close);
            if (close + 1 < authority.length()) {
                if (authority.charAt(close + 1) != ':') return null;
                portText = authority.substring(close + 2);
            }
        } else {
            int colon = authority.indexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            if (colon >= 0) portText = authority.substring(colon + 1);
        }
        if (host.isEmpty() || host.length() > 255) return null;
        int port = 80;
        if (portText != null && !portText.isEmpty()) {
            if (portText.length() > 5 || !portText.chars().allMatch(Character::isDigit)) return null;
            port = Integer.parseInt(portText);
            if (port < 1 || port > 65535) return null;
        }
        return new ProxyTarget(host, port, authority, rest);
    }

    String hostPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
