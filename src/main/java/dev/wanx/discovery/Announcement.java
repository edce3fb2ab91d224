package dev.wanx.discovery;

import dev.wanx.transport.HostPort;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a far tells every near in its handshake reply (encrypted and authenticated by it), so that a near probing
 * several fars can choose by load as well as by RTT, and learns the fleet and the config version in the same
 * round trip. Wire form (docs/PROTOCOL.md, "Announcement"), the only place it is encoded:
 * <pre>
 * format u8 (=1) | load u8 (percent of capacity 0..100, 255 = no capacity set) | config version len u8 | bytes
 * | fleet count u8 (255 = fleet not included: too long for the reply) | per member:
 *   host len u8 | host (ASCII) | port u16 | has key u8 (0/1) | [key 32]
 * </pre>
 * Trailing bytes are ignored (later versions append). The whole is kept under the reply's room
 * ({@code HandshakePacket.MAX_ANNOUNCEMENT}, 768 bytes): the reply must never be larger than the probe.
 *
 * @param loadPercent   0..100, or -1 when the far has no configured capacity
 * @param configVersion version of the near policy the far holds ("" for none)
 * @param fleet         fleet members the far knows, or null when not included (too long, or no fleet configured)
 */
public record Announcement(int loadPercent, String configVersion, List<FleetMember> fleet) {
    public static final int FORMAT = 1;
    public static final int MAX_BYTES = 768;
    private static final int NOT_INCLUDED = 255;

    public Announcement {
        if (loadPercent < -1 || loadPercent > 100) throw new IllegalArgumentException("load must be -1..100: " + loadPercent);
        if (configVersion.length() > 64) throw new IllegalArgumentException("config version longer than 64");
        fleet = fleet == null ? null : List.copyOf(fleet);
    }

    /** Encodes for a handshake reply; leaves the fleet out (count 255) when it would not fit {@link #MAX_BYTES}. */
    public byte[] encode() { return encode(MAX_BYTES); }

    /** Encodes; leaves the fleet out (count 255) when it would not fit {@code maxBytes} (an ANNOUNCE frame has more room). */
    public byte[] encode(int maxBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(FORMAT);
        out.write(loadPercent < 0 ? 255 : loadPercent);
        byte[] v = configVersion.getBytes(StandardCharsets.UTF_8);
        out.write(v.length);
        out.writeBytes(v);
        byte[] members = fleet == null ? null : encodeFleet(fleet);
        if (members == null || out.size() + members.length > maxBytes) {
            out.write(NOT_INCLUDED);
        } else {
            out.writeBytes(members);
        }
        return out.toByteArray();
    }

    private static byte[] encodeFleet(List<FleetMember> fleet) {
        if (fleet.size() >= NOT_INCLUDED) return null;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(fleet.size());
        for (FleetMember m : fleet) {
            byte[] host = m.address().host().getBytes(StandardCharsets.US_ASCII);
            if (host.length > 255) return null;
            out.write(host.length);
            out.writeBytes(host);
            out.write(m.address().port() >>> 8);
            out.write(m.address().port() & 0xff);
            byte[] key = m.key();
            out.write(key == null ? 0 : 1);
            if (key != null) out.writeBytes(key);
        }
        return out.toByteArray();
    }

    /** Decodes, or returns null for an empty, truncated, malformed or unknown-format announcement. */
    public static Announcement decode(byte[] bytes) {
        if (bytes == null || bytes.length < 4 || (bytes[0] & 0xff) != FORMAT) return null;
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            b.get();
            int load = b.get() & 0xff;
            if (load > 100 && load != 255) return null;
            byte[] v = new byte[b.get() & 0xff];
            b.get(v);
            int count = b.get() & 0xff;
            List<FleetMember> fleet = null;
            if (count != NOT_INCLUDED) {
                fleet = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    byte[] host = new byte[b.get() & 0xff];
                    b.get(host);
                    int port = b.getShort() & 0xffff;
                    int hasKey = b.get();
                    byte[] key = null;
                    if (hasKey == 1) {
                        key = new byte[32];
                        b.get(key);
                    } else if (hasKey != 0) {
                        return null;
                    }
                    fleet.add(new FleetMember(HostPort.parse(hostPort(new String(host, StandardCharsets.US_ASCII), port)), key));
                }
            }
            return new Announcement(load == 255 ? -1 : load, new String(v, StandardCharsets.UTF_8), fleet);
        } catch (RuntimeException e) { // BufferUnderflow, bad host or port: not an announcement we can use
            return null;
        }
    }

    private static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
