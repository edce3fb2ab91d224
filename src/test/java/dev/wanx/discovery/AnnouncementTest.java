package dev.wanx.discovery;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.transport.udp.HandshakePacket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AnnouncementTest {
    private static byte[] key(int seed) {
        byte[] k = new byte[32];
        new Random(seed).nextBytes(k);
        return k;
    }

    @Test void roundTrip() {
        List<FleetMember> fleet = List.of(FleetMember.parse("fra.example.net:7443"), FleetMember.parse("[2001:db8::7]:7443"),
                new FleetMember(FleetMember.parse("10.0.0.9:443").address(), key(1)));
        Announcement a = new Announcement(42, "v7", fleet);
        Announcement b = Announcement.decode(a.encode());
        assertEquals(a, b);
        assertEquals(new Announcement(-1, "", null), Announcement.decode(new Announcement(-1, "", null).encode()));
    }

    @Test void aFleetTooLongForTheReplyIsLeftOutNotCut() {
        List<FleetMember> big = new ArrayList<>();
        for (int i = 0; i < 40; i++) big.add(new FleetMember(FleetMember.parse("far" + i + ".example.net:7443").address(), key(i)));
        byte[] wire = new Announcement(10, "abc", big).encode();
        assertTrue(wire.length <= Announcement.MAX_BYTES, "fits the reply: " + wire.length);
        Announcement back = Announcement.decode(wire);
        assertNull(back.fleet(), "a partial fleet would read as removals");
        assertEquals(10, back.loadPercent());
    }

    @Test void theReplyCanNeverOutgrowTheProbe() {
        // header 17 + length 2 + Noise message 2 (32 e + payload + 16 tag), payload = hello + announcement
        int largestReply = 17 + 2 + 32 + HandshakePacket.HELLO_LENGTH + HandshakePacket.MAX_ANNOUNCEMENT + 16;
        assertTrue(largestReply <= HandshakePacket.MIN_INITIAL, largestReply + " bytes");
        assertEquals(Announcement.MAX_BYTES, HandshakePacket.MAX_ANNOUNCEMENT);
        byte[] tooLong = new byte[HandshakePacket.MAX_ANNOUNCEMENT + 1];
        assertEquals(HandshakePacket.HELLO_LENGTH, HandshakePacket.writeHello(0, 1200, tooLong).length, "left out, never sent");
    }

    @Test void garbageAndTruncationDecodeToNull() {
        byte[] good = new Announcement(5, "v", List.of(FleetMember.parse("a.example:1"))).encode();
        for (int n = 0; n < good.length; n++) {
            assertNull(Announcement.decode(Arrays.copyOf(good, n)), "truncated at " + n);
        }
        Random r = new Random(3);
        for (int i = 0; i < 2000; i++) {
            byte[] g = new byte[r.nextInt(60)];
            r.nextBytes(g);
            Announcement.decode(g); // never throws
        }
        byte[] badLoad = good.clone();
        badLoad[1] = (byte) 101;
        assertNull(Announcement.decode(badLoad));
        assertNull(Announcement.decode(null));
        assertNull(Announcement.decode(new byte[0]));
    }

    @Test void memberLinesParseAndPrint() {
        FleetMember m = new FleetMember(FleetMember.parse("h:1").address(), key(9));
        assertEquals(m, FleetMember.parse(m.toString()));
        assertThrows(IllegalArgumentException.class, () -> FleetMember.parse("h:1 notbase64!"));
        assertThrows(IllegalArgumentException.class, () -> FleetMember.parse("h:1 AAAA"));
        assertThrows(IllegalArgumentException.class, () -> FleetMember.parse("h"));
        assertThrows(IllegalArgumentException.class, () -> FleetMember.parse("h:1 a b"));
    }
}
