package dev.wanx.far;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class EgressPolicyTest {
    private static final EgressPolicy DEFAULT = EgressPolicy.parse(List.of());

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal); // literals only: no DNS
    }

    /** Keeps the IPv6 form: InetAddress.getByName would turn ::ffff:a.b.c.d into an IPv4 address. */
    private static InetAddress v6(String literal) throws Exception {
        byte[] b = InetAddress.getByName(literal).getAddress();
        if (b.length == 4) {
            byte[] m = new byte[16];
            m[10] = (byte) 0xFF;
            m[11] = (byte) 0xFF;
            System.arraycopy(b, 0, m, 12, 4);
            b = m;
        }
        return Inet6Address.getByAddress(null, b, -1);
    }

    private static void denied(EgressPolicy p, InetAddress a, int port, String why) {
        EgressPolicy.Decision d = p.check(a, port);
        assertFalse(d.allowed(), a + " should be denied: " + d.reason());
        assertTrue(d.reason().contains(why), d.reason());
    }

    private static void allowed(EgressPolicy p, InetAddress a, int port) {
        EgressPolicy.Decision d = p.check(a, port);
        assertTrue(d.allowed(), a + " should be allowed: " + d.reason());
    }

    @Test void specialRangesDeniedByDefault() throws Exception {
        String[][] cases = {
            {"127.0.0.1", "loopback"}, {"127.255.255.254", "loopback"}, {"0.0.0.0", "unspecified"},
            {"0.1.2.3", "unspecified"}, {"10.0.0.1", "private"}, {"172.16.0.1", "private"},
            {"172.31.255.255", "private"}, {"192.168.1.1", "private"}, {"100.64.0.1", "carrier-grade NAT"},
            {"100.127.255.255", "carrier-grade NAT"}, {"169.254.169.254", "link-local"},
            {"224.0.0.1", "multicast"}, {"239.255.255.250", "multicast"}, {"255.255.255.255", "broadcast"},
            {"240.0.0.1", "reserved"}, {"::1", "loopback"}, {"::", "unspecified"}, {"fe80::1", "link-local"},
            {"fc00::1", "unique-local"}, {"fd12:3456::1", "unique-local"}, {"ff02::1", "multicast"},
        };
        for (String[] c : cases) denied(DEFAULT, ip(c[0]), 80, c[1]);
    }

    @Test void publicAddressesAllowed() throws Exception {
        for (String a : new String[] {"1.1.1.1", "8.8.8.8", "172.15.255.255", "172.32.0.0", "100.63.255.255",
                "100.128.0.0", "11.0.0.0", "2606:4700:4700::1111", "2001:4860:4860::8888"}) {
            EgressPolicy.Decision d = DEFAULT.check(ip(a), 443);
            assertTrue(d.allowed(), a);
            assertEquals("public address", d.reason());
        }
    }

    @Test void ipv6FormsOfIpv4DoNotBypass() throws Exception {
        denied(DEFAULT, v6("::ffff:127.0.0.1"), 22, "loopback");
        denied(DEFAULT, v6("::ffff:10.1.2.3"), 22, "private");
        denied(DEFAULT, v6("::ffff:169.254.169.254"), 80, "link-local");
        denied(DEFAULT, Inet6Address.getByAddress(null, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 127, 0, 0, 1}, -1), 22, "loopback");
        denied(DEFAULT, Inet6Address.getByAddress(null, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 9, 8, 7}, -1), 22, "private");
        denied(DEFAULT, ip("64:ff9b::7f00:1"), 22, "loopback");
        denied(DEFAULT, ip("64:ff9b::c0a8:101"), 22, "private");
        denied(DEFAULT, ip("2002:7f00:1::1"), 22, "loopback");
        denied(DEFAULT, ip("2002:a00:1::"), 22, "private");
        allowed(DEFAULT, v6("::ffff:1.1.1.1"), 443);
        allowed(DEFAULT, ip("64:ff9b::101:101"), 443);
        // Java itself returns IPv4 for a mapped literal; both shapes must agree.
        denied(DEFAULT, ip("::ffff:127.0.0.1"), 22, "loopback");
    }

    @Test void allowEntriesOpenExactlyWhatTheySay() throws Exception {
        EgressPolicy p = EgressPolicy.parse(List.of("10.0.0.0/8", "192.168.1.5/32:445", "127.0.0.1/32:8000-8100,9000",
                "[fd00::/8]:445", "fe80::/10", "[::1]:22"));
        allowed(p, ip("10.200.1.1"), 1);
        allowed(p, ip("10.200.1.1"), 65535);
        allowed(p, ip("192.168.1.5"), 445);
        denied(p, ip("192.168.1.5"), 139, "private");
        denied(p, ip("192.168.1.6"), 445, "private");
        allowed(p, ip("127.0.0.1"), 8000);
        allowed(p, ip("127.0.0.1"), 8100);
        allowed(p, ip("127.0.0.1"), 9000);
        denied(p, ip("127.0.0.1"), 8101, "loopback");
        denied(p, ip("127.0.0.2"), 8050, "loopback");
        allowed(p, ip("fd12::1"), 445);
        denied(p, ip("fd12::1"), 446, "unique-local");
        denied(p, ip("fc00::1"), 445, "unique-local");
        allowed(p, ip("fe80::abcd"), 12345);
        allowed(p, ip("::1"), 22);
        denied(p, ip("::1"), 23, "loopback");
        // An IPv4 allow entry covers the IPv4-mapped form of the same address.
        allowed(p, v6("::ffff:10.1.1.1"), 80);
        allowed(p, v6("::ffff:127.0.0.1"), 8000);
        denied(p, v6("::ffff:127.0.0.1"), 22, "loopback");
        assertTrue(p.check(ip("192.168.1.5"), 445).reason().contains("192.168.1.5/32:445"));
    }

    @Test void bareAddressIsSingleHostAndAlternativeBracketForm() throws Exception {
        EgressPolicy p = EgressPolicy.parse(List.of("192.168.1.5:445", "[fd00::]/8:80", "  10.1.0.0/16  "));
        allowed(p, ip("192.168.1.5"), 445);
        denied(p, ip("192.168.1.4"), 445, "private");
        allowed(p, ip("fd00::5"), 80);
        allowed(p, ip("10.1.2.3"), 80);
        assertEquals(List.of("192.168.1.5:445", "[fd00::]/8:80", "10.1.0.0/16"), p.entries());
    }

    @Test void mappedAllowEntryEqualsIpv4Entry() throws Exception {
        EgressPolicy p = EgressPolicy.parse(List.of("[::ffff:10.0.0.0/104]:80"));
        allowed(p, ip("10.9.9.9"), 80);
        allowed(p, v6("::ffff:10.9.9.9"), 80);
        denied(p, ip("10.9.9.9"), 81, "private");
    }

    @Test void zeroPrefixAllowsEverything() throws Exception {
        EgressPolicy p = EgressPolicy.parse(List.of("0.0.0.0/0", "::/0"));
        allowed(p, ip("127.0.0.1"), 22);
        allowed(p, ip("::1"), 22);
    }

    @Test void badEntriesHaveClearMessages() {
        String[][] cases = {
            {"", "empty"},
            {"example.com", "not an IP address"},
            {"example.com:80", "not an IP address"},
            {"10.0.0.0/33", "prefix length '33' must be 0-32"},
            {"10.0.0.0/x", "prefix length"},
            {"10.1.2.3/8", "did you mean 10.0.0.0/8?"},
            {"256.1.1.1", "not an IPv4 address"},
            {"10.0.0", "not an IP address"},
            {"10.0.0.1:0", "bad port '0'"},
            {"10.0.0.1:70000", "bad port '70000'"},
            {"10.0.0.1:http", "bad port 'http'"},
            {"10.0.0.1:", "no ports"},
            {"10.0.0.1:90-80", "reversed"},
            {"10.0.0.1:80,", "bad port ''"},
            {"fd00::/8:445", "[addr/len]:PORTS"},
            {"[fd00::/8", "missing ']'"},
            {"[fd00::/8]445", "expected ':PORTS'"},
            {"[10.0.0.0/8]:80", "brackets are for IPv6"},
            {"fe80::1%eth0", "not an IPv6 address"},
            {"fd00::/129", "0-128"},
            {"gg::1", "not an IPv6 address"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EgressPolicy.parse(List.of(c[0])), c[0]);
            assertTrue(e.getMessage().startsWith("bad --allow entry '"), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
    }

    @Test void badPortInCheckIsDenied() throws Exception {
        assertFalse(DEFAULT.check(ip("1.1.1.1"), 0).allowed());
        assertFalse(DEFAULT.check(ip("1.1.1.1"), 65536).allowed());
    }
}
