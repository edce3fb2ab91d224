package dev.wanx.transport.path;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.channels.DatagramChannel;
import java.util.HexFormat;

/**
 * The network context a path's history is filed under: which far (its key), from where (the source address
 * the kernel would use to reach it, as a /24 or /64 prefix) and over which interface. A laptop moving from
 * the office LAN to a phone tether gets a new context, and so a conservative start.
 */
public final class PathContext {
    private PathContext() { }

    /** Context key for reaching {@code far} (whose static public key is {@code farKey}) from this host now. */
    public static String of(byte[] farKey, InetSocketAddress far) {
        String src = "?";
        String ifName = "?";
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.connect(far); // picks the route and source address; sends nothing
            InetAddress local = ((InetSocketAddress) ch.getLocalAddress()).getAddress();
            src = prefix(local);
            NetworkInterface nif = NetworkInterface.getByInetAddress(local);
            if (nif != null) {
                ifName = nif.getName();
            }
        } catch (IOException | RuntimeException e) {
            // no route yet: the context still separates fars
        }
        return key(farKey, src, ifName);
    }

    /** The far end's view: which near (its key) from which address prefix. */
    public static String ofPeer(byte[] nearKey, InetSocketAddress from) {
        return "near=" + keyId(nearKey) + " from=" + prefix(from.getAddress());
    }

    static String key(byte[] farKey, String srcPrefix, String ifName) {
        return "far=" + keyId(farKey) + " src=" + srcPrefix + " if=" + ifName;
    }

    /** A peer's public key, shortened to its first 8 bytes in hex: enough to tell a handful of peers apart. */
    private static String keyId(byte[] publicKey) {
        return HexFormat.of().formatHex(publicKey, 0, Math.min(8, publicKey.length));
    }

    static String prefix(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + ".0/24";
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i += 2) {
            s.append(HexFormat.of().formatHex(b, i, i + 2)).append(':');
        }
        return s.append(":/64").toString();
    }
}
