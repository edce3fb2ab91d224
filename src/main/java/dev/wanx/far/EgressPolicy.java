package dev.wanx.far;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which destinations a far end may dial for its peers. Public addresses are allowed; loopback, private, link-local,
 * CGNAT, unique-local, multicast, broadcast and reserved ranges are denied unless an {@code --allow} entry covers
 * the address and port, so a peer cannot use the far as a springboard into the far's own network by default.
 *
 * <p>Entry syntax: {@code CIDR[:PORTS]}. CIDR is an IPv4 or IPv6 address with an optional prefix length (none
 * means a single host). IPv6 with ports must be bracketed: {@code [fd00::/8]:445} (or {@code [fd00::]/8:445});
 * bare IPv6 ({@code fd00::/8}) means all ports. PORTS is a comma list of ports and ranges: {@code 445},
 * {@code 80,443}, {@code 8000-8100}. Host names are not accepted (they would need DNS at start-up and could change).
 *
 * <p>IPv4-mapped ({@code ::ffff:a.b.c.d}) and IPv4-compatible ({@code ::a.b.c.d}) IPv6 addresses are judged as the
 * IPv4 address they carry, for allow entries and for the denied ranges alike, so {@code ::ffff:127.0.0.1} is
 * loopback. NAT64 ({@code 64:ff9b::/96}) and 6to4 ({@code 2002::/16}) addresses are also denied when the IPv4
 * address inside is in a denied range, as a gateway would deliver them there. Immutable and thread-safe.
 */
public final class EgressPolicy {
    /** The verdict for one destination; {@code reason} is a short phrase for logs and RESET messages. */
    public record Decision(boolean allowed, String reason) { }

    private record Net(byte[] network, int prefix) {
        boolean contains(byte[] addr) {
            if (addr.length != network.length) return false;
            int full = prefix / 8;
            for (int i = 0; i < full; i++) if (addr[i] != network[i]) return false;
            int rest = prefix % 8;
            if (rest == 0) return true;
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (addr[full] & mask) == (network[full] & mask);
        }
    }

    private record Rule(String text, Net net, int[] ports) { // ports: pairs lo,hi; null = every port
        boolean matches(byte[] addr, int port) {
            if (!net.contains(addr)) return false;
            if (ports == null) return true;
            for (int i = 0; i < ports.length; i += 2) if (port >= ports[i] && port <= ports[i + 1]) return true;
            return false;
        }
    }

    private record Special(String what, Net net) { }

    private static final List<Special> DENIED_V4 = List.of(
            special("unspecified", "0.0.0.0/8"),
            special("loopback", "127.0.0.0/8"),
            special("private", "10.0.0.0/8"),
            special("private", "172.16.0.0/12"),
            special("private", "192.168.0.0/16"),
            special("carrier-grade NAT", "100.64.0.0/10"),
            special("link-local", "169.254.0.0/16"),
            special("reserved", "192.0.0.0/24"),
            special("benchmarking", "198.18.0.0/15"),
            special("multicast", "224.0.0.0/4"),
            special("broadcast", "255.255.255.255/32"),
            special("reserved", "240.0.0.0/4"));

    private static final List<Special> DENIED_V6 = List.of(
            special("unspecified", "::/128"),
            special("loopback", "::1/128"),
            special("link-local", "fe80::/10"),
            special("site-local", "fec0::/10"),
            special("unique-local", "fc00::/7"),
            special("multicast", "ff00::/8"),
            special("discard-only", "100::/64"));

    private final List<Rule> rules;

    private EgressPolicy(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** Parses {@code --allow} entries; throws {@link IllegalArgumentException} with a one-line message for a bad one. */
    public static EgressPolicy parse(List<String> allow) {
        List<Rule> rules = new ArrayList<>();
        if (allow != null) for (String entry : allow) rules.add(parseEntry(entry));
        return new EgressPolicy(rules);
    }

    /** The allow entries as given, for logs. */
    public List<String> entries() {
        return rules.stream().map(Rule::text).toList();
    }

    public Decision check(InetAddress address, int port) {
        Objects.requireNonNull(address, "address");
        if (port < 1 || port > 65535) return new Decision(false, "bad port " + port);
        byte[] raw = address.getAddress();
        byte[] v4 = raw.length == 4 ? raw : carriedIpv4(raw); // judged as this IPv4 address
        for (Rule r : rules) {
            if (r.matches(raw, port) || (v4 != raw && v4 != null && r.matches(v4, port))) {
                return new Decision(true, "allowed by --allow " + r.text());
            }
        }
        String shown = address.getHostAddress();
        if (v4 != null) {
            Special s = find(DENIED_V4, v4);
            if (s != null) return denied(shown, port, s.what() + (v4 != raw ? " (IPv4 " + ipv4(v4) + " in IPv6 form)" : ""));
        }
        if (raw.length == 16) {
            Special s = find(DENIED_V6, raw);
            if (s != null) return denied(shown, port, s.what());
            byte[] inner = tunnelledIpv4(raw);
            if (inner != null) {
                Special t = find(DENIED_V4, inner);
                if (t != null) return denied(shown, port, t.what() + " (IPv4 " + ipv4(inner) + " via NAT64/6to4)");
            }
        }
        return new Decision(true, "public address");
    }

    private static Decision denied(String shown, int port, String what) {
        return new Decision(false, shown + " is " + what + "; not allowed unless an --allow entry covers port " + port);
    }

    private static Special find(List<Special> list, byte[] addr) {
        for (Special s : list) if (s.net().contains(addr)) return s;
        return null;
    }

    /** IPv4-mapped (::ffff:0:0/96) or IPv4-compatible (::/96, except :: and ::1): the IPv4 address, else null. */
    private static byte[] carriedIpv4(byte[] a) {
        for (int i = 0; i < 10; i++) if (a[i] != 0) return null;
        boolean mapped = a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
        boolean compatible = a[10] == 0 && a[11] == 0;
        if (!mapped && !compatible) return null;
        if (compatible && a[12] == 0 && a[13] == 0 && a[14] == 0 && (a[15] == 0 || a[15] == 1)) return null; // :: and ::1
        return new byte[] {a[12], a[13], a[14], a[15]};
    }

    /** The IPv4 address inside a NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address, else null. */
    private static byte[] tunnelledIpv4(byte[] a) {
        if (a[0] == 0x00 && a[1] == 0x64 && a[2] == (byte) 0xFF && a[3] == (byte) 0x9B) {
            for (int i = 4; i < 12; i++) if (a[i] != 0) return null;
            return new byte[] {a[12], a[13], a[14], a[15]};
        }
        if (a[0] == 0x20 && a[1] == 0x02) return new byte[] {a[2], a[3], a[4], a[5]};
        return null;
    }

    private static String ipv4(byte[] b) {
        return (b[0] & 0xFF) + "." + (b[1] & 0xFF) + "." + (b[2] & 0xFF) + "." + (b[3] & 0xFF);
    }

    // ---- parsing ----

    private static Rule parseEntry(String entry) {
        if (entry == null || entry.isBlank()) throw bad(String.valueOf(entry), "empty entry");
        String s = entry.strip();
        String cidr;
        String ports = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) throw bad(s, "missing ']'");
            cidr = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (rest.startsWith("/")) { // [addr]/len[:ports]
                int colon = rest.indexOf(':');
                cidr += colon < 0 ? rest : rest.substring(0, colon);
                rest = colon < 0 ? "" : rest.substring(colon);
            }
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) throw bad(s, "expected ':PORTS' after ']'");
                ports = rest.substring(1);
            }
            if (cidr.indexOf(':') < 0) throw bad(s, "brackets are for IPv6 addresses");
        } else {
            int colons = (int) s.chars().filter(c -> c == ':').count();
            if (colons > 1) {
                cidr = s; // bare IPv6: every port
            } else if (colons == 1) {
                cidr = s.substring(0, s.indexOf(':'));
                ports = s.substring(s.indexOf(':') + 1);
            } else {
                cidr = s;
            }
        }
        Net net = parseCidr(s, cidr);
        byte[] a = net.network();
        if (a.length == 16 && net.prefix() >= 96 && carriedIpv4(a) != null && a[10] == (byte) 0xFF) {
            // [::ffff:a.b.c.d/N]: the same as the IPv4 entry a.b.c.d/(N-96), however the address is later presented
            net = new Net(new byte[] {a[12], a[13], a[14], a[15]}, net.prefix() - 96);
        }
        return new Rule(s, net, ports == null ? null : parsePorts(s, ports));
    }

    private static Net parseCidr(String entry, String cidr) {
        int slash = cidr.indexOf('/');
        String addrText = slash < 0 ? cidr : cidr.substring(0, slash);
        byte[] addr = parseAddress(entry, addrText);
        int max = addr.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = cidr.substring(slash + 1);
            if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > max) {
                throw bad(entry, "prefix length '" + p + "' must be 0-" + max
                        + (addr.length == 16 && p.contains(":") ? " (write IPv6 with ports as [addr/len]:PORTS)" : ""));
            }
            prefix = Integer.parseInt(p);
        }
        Net net = new Net(addr, prefix);
        byte[] masked = addr.clone();
        for (int bit = prefix; bit < max; bit++) masked[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        if (!java.util.Arrays.equals(masked, addr)) {
            throw bad(entry, "host bits set after /" + prefix + " (did you mean " + format(masked) + "/" + prefix + "?)");
        }
        return net;
    }

    private static byte[] parseAddress(String entry, String text) {
        if (text.indexOf(':') >= 0) {
            // Only IPv6 literal characters: InetAddress then parses without any DNS look-up. No zone ids.
            if (!text.matches("[0-9A-Fa-f:][0-9A-Fa-f:.]*")) throw bad(entry, "'" + text + "' is not an IPv6 address");
            try {
                InetAddress a = InetAddress.getByName(text);
                byte[] b = a.getAddress();
                if (a instanceof Inet4Address) { // Java turns ::ffff:a.b.c.d into IPv4; keep the IPv6 form written
                    byte[] v6 = new byte[16];
                    v6[10] = (byte) 0xFF;
                    v6[11] = (byte) 0xFF;
                    System.arraycopy(b, 0, v6, 12, 4);
                    return v6;
                }
                return b;
            } catch (UnknownHostException e) {
                throw bad(entry, "'" + text + "' is not an IPv6 address");
            }
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) throw bad(entry, "'" + text + "' is not an IP address (host names are not allowed)");
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!parts[i].matches("\\d{1,3}") || Integer.parseInt(parts[i]) > 255) {
                throw bad(entry, "'" + text + "' is not an IPv4 address");
            }
            b[i] = (byte) Integer.parseInt(parts[i]);
        }
        return b;
    }

    private static int[] parsePorts(String entry, String text) {
        if (text.isBlank()) throw bad(entry, "no ports after ':'");
        String[] items = text.split(",", -1);
        int[] out = new int[items.length * 2];
        for (int i = 0; i < items.length; i++) {
            String item = items[i].strip();
            int dash = item.indexOf('-');
            int lo = port(entry, dash < 0 ? item : item.substring(0, dash));
            int hi = dash < 0 ? lo : port(entry, item.substring(dash + 1));
            if (lo > hi) throw bad(entry, "port range '" + item + "' is reversed");
            out[2 * i] = lo;
            out[2 * i + 1] = hi;
        }
        return out;
    }

    private static int port(String entry, String text) {
        String t = text.strip();
        if (!t.matches("\\d{1,5}") || Integer.parseInt(t) < 1 || Integer.parseInt(t) > 65535) {
            throw bad(entry, "bad port '" + t + "' (expected 1-65535)");
        }
        return Integer.parseInt(t);
    }

    private static String format(byte[] addr) {
        try {
            return InetAddress.getByAddress(addr).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only thrown for bad lengths
        }
    }

    private static IllegalArgumentException bad(String entry, String problem) {
        return new IllegalArgumentException("bad --allow entry '" + entry + "': " + problem);
    }

    private static Special special(String what, String cidr) {
        return new Special(what, parseCidr(cidr, cidr));
    }

    @Override public String toString() { return "EgressPolicy" + entries(); }
}
