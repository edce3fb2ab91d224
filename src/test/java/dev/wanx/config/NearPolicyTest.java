package dev.wanx.config;

import static org.junit.jupiter.api.Assertions.*;

import dev.wanx.config.NearPolicy.Key;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NearPolicyTest {
    static final String GOOD = String.join("\n",
            "# near policy for the branch offices",
            "",
            "  # indented comment",
            "version = 2024-06-a",
            "accelerate = \\.corp\\.example:(445|443)$|#frag",
            "reduce = OFF",
            "fail-forward-after = 1500ms",
            "fec=auto",
            "");

    static IllegalArgumentException bad(String text) {
        return assertThrows(IllegalArgumentException.class, () -> NearPolicy.parse(text));
    }

    @Test void parsesAGoodFile() {
        NearPolicy p = NearPolicy.parse(GOOD);
        assertEquals("2024-06-a", p.version());
        assertEquals("\\.corp\\.example:(445|443)$|#frag", p.get(Key.ACCELERATE).orElseThrow(), "a # inside a value is part of it");
        assertTrue(p.accelerate().orElseThrow().matcher("fs.corp.example:445").find());
        assertFalse(p.accelerate().orElseThrow().matcher("fs.corp.example:80").find());
        assertEquals(false, p.reduce().orElseThrow());
        assertEquals("off", p.get(Key.REDUCE).orElseThrow(), "normalized to lower case");
        assertEquals(Duration.ofMillis(1500), p.failForwardAfter().orElseThrow());
        assertEquals(true, p.fec().orElseThrow());
        assertEquals(4, p.values().size());
    }

    @Test void onlyKeysSetAreCarried() {
        NearPolicy p = NearPolicy.parse("fec = off\r\n");
        assertEquals(Map.of(Key.FEC, "off"), p.values());
        assertTrue(p.accelerate().isEmpty());
        assertTrue(p.reduce().isEmpty());
        assertTrue(p.failForwardAfter().isEmpty());
        assertEquals(false, p.fec().orElseThrow());
    }

    @Test void versionWithoutALineIsDerivedFromTheNormalizedContent() {
        NearPolicy a = NearPolicy.parse("accelerate = ^x$\nfail-forward-after = 2s\n");
        assertTrue(a.version().matches("[0-9a-f]{8}"), a.version());
        // Comments, order, spacing and equivalent spellings do not change it...
        NearPolicy b = NearPolicy.parse("# hello\nfail-forward-after=2000ms\n\n   accelerate   =   ^x$   \n");
        assertEquals(a.version(), b.version());
        assertEquals(a, b);
        // ...a value does.
        assertNotEquals(a.version(), NearPolicy.parse("accelerate = ^y$\nfail-forward-after = 2s\n").version());
        // It is the first 8 hex digits of SHA-256 of the normalized content.
        assertEquals("accelerate = ^x$\nfail-forward-after = 2s\n", a.normalized());
        String sha = java.util.HexFormat.of().formatHex(sha256(a.normalized()));
        assertEquals(sha.substring(0, 8), a.version());
    }

    private static byte[] sha256(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test void explicitVersionIsChecked() {
        assertEquals("v 1", NearPolicy.parse("version = v 1\n").version());
        assertTrue(bad("version = " + "x".repeat(33)).getMessage().startsWith("version:"));
        assertTrue(bad("version =\n").getMessage().startsWith("version:"));
        assertTrue(bad("version = caf\u00e9\n").getMessage().contains("printable"));
    }

    @Test void unknownKeyNamesTheLine() {
        IllegalArgumentException e = bad("# x\nfec = off\nacelerate = .*\n");
        assertTrue(e.getMessage().startsWith("line 3: unknown key 'acelerate'"), e.getMessage());
        assertTrue(e.getMessage().contains("accelerate, reduce, fail-forward-after, fec"), e.getMessage());
    }

    @Test void malformedAndRepeatedLinesNameTheLine() {
        assertTrue(bad("fec = off\njust words\n").getMessage().startsWith("line 2: expected 'key = value'"));
        assertTrue(bad("fec = off\nfec = auto\n").getMessage().startsWith("line 2: 'fec' set twice (first on line 1)"));
    }

    @Test void invalidValuesNameTheKey() {
        IllegalArgumentException regex = bad("accelerate = (unclosed\n");
        assertTrue(regex.getMessage().startsWith("accelerate: '(unclosed' is not a valid regular expression"), regex.getMessage());
        IllegalArgumentException duration = bad("fail-forward-after = soon\n");
        assertTrue(duration.getMessage().startsWith("fail-forward-after: 'soon' is not a duration"), duration.getMessage());
        assertTrue(bad("fail-forward-after = -PT1S\n").getMessage().startsWith("fail-forward-after: must not be negative"));
        assertTrue(bad("fail-forward-after = 2h\n").getMessage().startsWith("fail-forward-after: 2h is longer"));
        assertTrue(bad("reduce = maybe\n").getMessage().startsWith("reduce: 'maybe' is not on or off"));
        assertTrue(bad("fec = on\n").getMessage().startsWith("fec: 'on' is not auto or off"));
        assertTrue(bad("accelerate =\n").getMessage().startsWith("accelerate: needs a value"));
    }

    @Test void aPolicyTooLargeForOneFrameIsRefused() {
        IllegalArgumentException e = bad("accelerate = " + "a".repeat(NearPolicy.MAX_WIRE) + "\n");
        assertTrue(e.getMessage().startsWith("policy too large"), e.getMessage());
    }

    @Test void wireRoundTrip() {
        for (String text : new String[] {GOOD, "", "fec = off\n", "version = only-a-version\n"}) {
            NearPolicy p = NearPolicy.parse(text);
            byte[] wire = p.encode();
            assertEquals(NearPolicy.FORMAT, wire[0], "first byte: the format");
            assertTrue(wire.length <= NearPolicy.MAX_WIRE);
            NearPolicy.Decoded d = NearPolicy.decode(wire);
            assertTrue(d.ok(), d.error());
            assertEquals(p, d.policy());
            assertEquals(p.version(), d.policy().version());
            assertEquals(p.values(), d.policy().values());
        }
    }

    @Test void wireLayoutIsAsDocumented() {
        byte[] wire = NearPolicy.of("v1", Map.of(Key.FEC, "off")).encode();
        assertArrayEquals(new byte[] {1, 2, 'v', '1', 1, 4, 0, 3, 'o', 'f', 'f'}, wire);
    }

    @Test void unknownKeysFromANewerFarAreSkipped() {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.put((byte) 1).put((byte) 1).put((byte) 'v').put((byte) 2);
        b.put((byte) 77).putShort((short) 3).put("abc".getBytes(StandardCharsets.US_ASCII));
        b.put((byte) 4).putShort((short) 3).put("off".getBytes(StandardCharsets.US_ASCII));
        NearPolicy.Decoded d = NearPolicy.decode(Arrays.copyOf(b.array(), b.position()));
        assertTrue(d.ok(), d.error());
        assertEquals(Map.of(Key.FEC, "off"), d.policy().values());
    }

    @Test void truncatedWireIsAnErrorNotAnException() {
        byte[] wire = NearPolicy.parse(GOOD).encode();
        for (int n = 0; n < wire.length; n++) {
            NearPolicy.Decoded d = NearPolicy.decode(Arrays.copyOf(wire, n));
            assertFalse(d.ok(), "prefix of " + n + " bytes");
            assertNotNull(d.error());
        }
        NearPolicy.Decoded extra = NearPolicy.decode(Arrays.copyOf(wire, wire.length + 1));
        assertFalse(extra.ok());
        assertTrue(extra.error().contains("stray"), extra.error());
        assertFalse(NearPolicy.decode(null).ok());
    }

    @Test void invalidWireContentIsAnError() {
        assertTrue(NearPolicy.decode(new byte[] {2, 1, 'v', 0}).error().contains("format 2"));
        assertTrue(NearPolicy.decode(new byte[] {1, 0, 0}).error().startsWith("version:"));
        byte[] badRegex = {1, 1, 'v', 1, 1, 0, 1, '('};
        assertTrue(NearPolicy.decode(badRegex).error().startsWith("accelerate:"), NearPolicy.decode(badRegex).error());
        byte[] twice = {1, 1, 'v', 2, 4, 0, 3, 'o', 'f', 'f', 4, 0, 3, 'o', 'f', 'f'};
        assertTrue(NearPolicy.decode(twice).error().contains("twice"));
        byte[] notUtf8 = {1, 1, 'v', 1, 1, 0, 2, (byte) 0xc3, (byte) 0x28};
        assertTrue(NearPolicy.decode(notUtf8).error().contains("UTF-8"));
    }

    @Test void randomGarbageNeverThrows() {
        Random r = new Random(42);
        int ok = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[r.nextInt(40)];
            r.nextBytes(b);
            if (r.nextBoolean() && b.length > 0) b[0] = 1; // get past the format byte half the time
            NearPolicy.Decoded d = NearPolicy.decode(b);
            assertTrue(d.ok() != (d.error() != null));
            if (d.ok()) ok++;
        }
        assertTrue(ok < 20_000);
    }
}
